#!/usr/bin/env node
/**
 * `bedrock-inference`: one file per command under ./commands. Parsing is commander's; each command
 * module registers itself on the program.
 */
import { Command } from 'commander';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerServeCommand } from './commands/serve.js';

const program = new Command()
  .name('bedrock-inference')
  .description('Streaming inference with AWS Bedrock: stream, chat, serve, compare models, run the local emulator.')
  .showHelpAfterError();

registerEmulatorCommand(program);
registerServeCommand(program);

await program.parseAsync(process.argv);
