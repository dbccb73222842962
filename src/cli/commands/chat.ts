/**
 * `bedrock-inference chat`: a conversation in the terminal. Each line is a turn; the answer streams to
 * stdout as it is generated and the whole conversation goes with the next turn. `/reset` starts over,
 * `/exit` or end of input (Ctrl-D) quits; Ctrl-C stops the answer being generated (the upstream request is
 * closed, what was printed stays in the conversation), and quits when no answer is running. Lines may be
 * piped in too (`printf 'Hi\nAnd?\n' | bedrock-inference chat`).
 */
import readline from 'node:readline';
import type { Command } from 'commander';
import type { ChatMessage } from '../../index.js';
import {
  addGenerationOptions,
  clientFor,
  INTERRUPTED,
  notifier,
  requestFields,
  type GenerationFlags,
} from '../generation-options.js';
import { addAttachmentOptions, guardrailField, userContent, type AttachmentFlags } from '../attachments.js';
import { streamAnswer } from './stream.js';

export function registerChatCommand(program: Command): void {
  addAttachmentOptions(
    addGenerationOptions(
      program
        .command('chat')
        .description(
          'Chat in the terminal: each line a turn, answers streamed, history kept (--image/--document go with the first turn)',
        ),
    ),
  ).action(async (flags: GenerationFlags & AttachmentFlags) => {
    const say = notifier(flags);
    const interactive = process.stdin.isTTY === true;
    const { client, emulator, description } = await clientFor(flags);
    say(description);
    if (interactive) say('/reset starts over, /exit or Ctrl-D quits, Ctrl-C stops an answer.');
    const lines = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: interactive });
    lines.setPrompt('you> ');
    const prompt = () => {
      if (interactive) lines.prompt();
    };
    const history: ChatMessage[] = [];
    let answering: AbortController | undefined;
    const interrupt = () => {
      if (answering !== undefined) answering.abort();
      else {
        process.exitCode = INTERRUPTED;
        lines.close();
      }
    };
    // In a terminal readline takes Ctrl-C itself; piped input gets the signal.
    lines.on('SIGINT', interrupt);
    process.on('SIGINT', interrupt);
    try {
      prompt();
      for await (const line of lines) {
        const text = line.trim();
        if (text === '/exit') break;
        if (text === '/reset') {
          history.length = 0;
          say('(conversation cleared)');
        } else if (text !== '') {
          // Attachments go with the conversation's first turn (and stay in the history after it).
          history.push({ role: 'user', content: history.length === 0 ? userContent(text, flags) : text });
          answering = new AbortController();
          let answer = '';
          const request = {
            ...requestFields(flags),
            ...guardrailField(flags),
            messages: [...history],
            signal: answering.signal,
          };
          await streamAnswer(client, request, say, (printed) => (answer = printed));
          answering = undefined;
          // What the user saw is the conversation; a turn that produced nothing is dropped.
          if (answer !== '') history.push({ role: 'assistant', content: answer });
          else history.pop();
        }
        prompt();
      }
    } finally {
      process.off('SIGINT', interrupt);
      lines.close();
      client.destroy();
      await emulator?.close();
    }
  });
}
