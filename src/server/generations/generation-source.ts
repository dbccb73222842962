/**
 * What a generation streams from: one model call (InferenceStream), or a multi-step tool run
 * (client.runTools) when the server runs its own tools. Both give one event stream, an abort, and the
 * data of the final `done` event.
 */
import type { InferenceStream, ToolRun, ToolRunEvent } from '../../index.js';
import { doneData, toolRunDoneData } from './event-data.js';

export interface GenerationSource {
  events(): AsyncIterableIterator<ToolRunEvent>;
  abort(reason?: unknown): void;
  /** The `done` event's data; call after the events ended. */
  doneData(): Promise<string>;
}

export function singleCall(stream: InferenceStream): GenerationSource {
  return {
    events: () => stream.events(),
    abort: (reason) => stream.abort(reason),
    doneData: async () => doneData(await stream.finalResult()),
  };
}

export function toolRun(run: ToolRun): GenerationSource {
  return {
    events: () => run.events(),
    abort: (reason) => run.abort(reason),
    doneData: async () => toolRunDoneData(await run.finalResult()),
  };
}
