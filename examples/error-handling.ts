/**
 * Pattern 3: errors. Retries with backoff before the first chunk, the partial answer kept when a stream
 * breaks, and resume. With the embedded emulator the faults are scripted; against Bedrock they happen
 * when they happen. `npx tsx examples/error-handling.ts`
 */
import {
  BedrockInferenceError,
  BedrockStreamingClient,
  RetryError,
  StreamInterruptedError,
  ThrottlingError,
  ValidationError,
} from '../src/index.js';
import { connect } from './connect.js';

const connection = await connect();
const { emulator } = connection;
const client = new BedrockStreamingClient({
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000 },
  ...connection.options,
});
const prompt = 'Describe a lighthouse in four sentences.';

console.log('1. Throttled twice before the first chunk: retried with backoff.');
emulator?.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 2 });
const stream = client.invokeStream({ prompt, maxTokens: 300 });
for await (const event of stream.events()) {
  if (event.type === 'retry') {
    console.log(`   attempt ${event.attempt} failed (${event.error.name}); retrying in ${event.delayMs} ms`);
  } else if (event.type === 'text') {
    process.stdout.write(event.delta);
  }
}
const result = await stream.finalResult();
console.log(`\n   done after ${result.attempts} attempts\n`);

console.log('2. The stream breaks mid-answer: the partial answer is kept.');
emulator?.faults.add({
  fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 5 },
});
try {
  for await (const chunk of client.invokeStream({ prompt, maxTokens: 300 })) process.stdout.write(chunk);
} catch (error) {
  if (error instanceof StreamInterruptedError) {
    // The cause is the classified mid-stream error; partialText is everything that arrived before it.
    const cause = error.cause instanceof Error ? error.cause.name : 'unknown';
    console.log(`\n   ${error.name} (cause: ${cause}); partial answer kept: ${error.partialText.length} characters`);
  } else if (error instanceof RetryError) {
    console.log(`\n   gave up after ${error.errors.length} attempts: ${error.lastError.message}`);
  } else if (error instanceof ThrottlingError || error instanceof ValidationError) {
    console.log(`\n   ${error.name}: ${error.message}`);
  } else {
    throw error;
  }
}

console.log('\n3. The same break with resume: true continues the answer seamlessly.');
emulator?.faults.add({
  fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 5 },
});
try {
  const resumed = await client.invokeStreamWithCallbacks({
    prompt,
    maxTokens: 300,
    resume: true,
    onContent: (chunk) => process.stdout.write(chunk),
  });
  console.log(`\n   complete (${resumed?.stopReason}) after ${resumed?.resumes} resume(s)`);
} catch (error) {
  if (!BedrockInferenceError.isInstance(error)) throw error;
  console.log(`\n   ${error.name}: ${error.message}`);
}

client.destroy();
await connection.close();
