/** Time to first text: from calling the driver to its first text delta, for concurrent streams. */
import type { BenchDriver } from '../drivers/driver.js';

export async function firstTextTimes(
  driver: BenchDriver,
  modelId: string,
  prompts: readonly string[],
  maxTokens: number,
): Promise<number[]> {
  return Promise.all(
    prompts.map(async (prompt) => {
      const started = performance.now();
      let first: number | undefined;
      await driver.stream(modelId, prompt, maxTokens, { onFirstText: () => (first = performance.now()) });
      if (first === undefined) throw new Error(`${driver.name} streamed no text`);
      return first - started;
    }),
  );
}
