/**
 * The tool calls of one answer: each a compact, collapsible block with the tool's name, its status, the
 * arguments as they stream and (for tools the server runs) the result. Arguments and results are model
 * or tool output: they go in as text, never HTML.
 */
import type { ToolCallState } from '../../browser/index.js';
import { h } from './dom.js';

interface ShownCall {
  block: HTMLDetailsElement;
  status: HTMLSpanElement;
  args: Text;
  result: HTMLPreElement;
}

export class ToolCallsView {
  readonly element = h('div', { class: 'tool-calls', hidden: true });
  private readonly shown = new Map<string, ShownCall>();

  /** Brings the blocks up to date with the snapshot's calls (writes only what changed). */
  update(calls: readonly ToolCallState[]): void {
    for (const call of calls) {
      const shown = this.shown.get(call.id) ?? this.add(call);
      if (shown.args.data !== call.inputText) shown.args.data = call.inputText;
      if (shown.block.dataset.status === call.status) continue;
      shown.block.dataset.status = call.status;
      shown.status.textContent = call.status === 'streaming' ? 'writing arguments…' : call.status;
      if (call.result !== undefined) {
        shown.result.hidden = false;
        // Text results as they are; JSON ones indented.
        shown.result.textContent = typeof call.result === 'string' ? call.result : JSON.stringify(call.result, null, 2);
      }
    }
  }

  clear(): void {
    this.shown.clear();
    this.element.replaceChildren();
    this.element.hidden = true;
  }

  private add(call: ToolCallState): ShownCall {
    const args = document.createTextNode('');
    const status = h('span', { class: 'tool-status' });
    const result = h('pre', { class: 'tool-result', hidden: true, 'aria-label': `Result of ${call.name}` });
    const block = h(
      'details',
      { class: 'tool-call', open: true },
      h('summary', {}, h('b', {}, 'Tool'), ' ', h('code', {}, call.name), ' ', status),
      h('pre', { class: 'tool-args', 'aria-label': `Arguments of ${call.name}` }, args),
      result,
    );
    const shown = { block, status, args, result };
    this.shown.set(call.id, shown);
    this.element.append(block);
    this.element.hidden = false;
    return shown;
  }
}
