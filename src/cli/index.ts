#!/usr/bin/env node
/**
 * `bedrock-inference`: one file per command under ./commands. Parsing is commander's; each command
 * module registers itself on the program.
 */
import { Command } from 'commander';
import { registerChatCommand } from './commands/chat.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerQuotaCommand } from './commands/quota.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStreamCommand } from './commands/stream.js';

const program = new Command()
  .name('bedrock-inference')
  .description('Streaming inference with AWS Bedrock: stream, chat, serve, compare models, run the local emulator.')
  .showHelpAfterError();

registerStreamCommand(program);
registerChatCommand(program);
registerCompareCommand(program);
registerServeCommand(program);
registerEmulatorCommand(program);
registerQuotaCommand(program);

await program.parseAsync(process.argv);
