/** The options of a model picker: every model the server offers, grouped by family (GET /api/models). */
import type { ModelList } from '../../browser/index.js';
import { h } from './dom.js';

export function modelOptionGroups(models: ModelList): HTMLOptGroupElement[] {
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const model of models.models) {
    let group = groups.get(model.family);
    if (group === undefined) {
      group = h('optgroup', { label: model.family });
      groups.set(model.family, group);
    }
    group.append(h('option', { value: model.id }, model.name));
  }
  return [...groups.values()];
}
