import type { MetaValue } from '../../core/checkpointIndex';

/**
 * The checkpoint's object tree without its tensors (they are in the table): dicts that held only
 * tensors shrink to a one-line note, so a 100 k-tensor state dict does not become a 100 k-node tree.
 */
export function metadataOutline(value: MetaValue): MetaValue {
  switch (value.kind) {
    case 'dict': {
      const kept: (readonly [string, MetaValue])[] = [];
      let tensors = 0;
      for (const [key, child] of value.entries) {
        if (child.kind === 'tensor') tensors++;
        else kept.push([key, metadataOutline(child)]);
      }
      if (tensors > 0 && kept.length === 0) return { kind: 'ref', note: `${tensors} tensors (listed in the table)` };
      if (tensors > 0) kept.push(['…', { kind: 'ref', note: `${tensors} more tensors (listed in the table)` }]);
      return { kind: 'dict', entries: kept, ...(value.truncated ? { truncated: value.truncated } : {}) };
    }
    case 'list':
    case 'tuple':
    case 'set':
      return { ...value, items: value.items.map(metadataOutline) };
    case 'object':
      return { ...value, args: value.args.map(metadataOutline), ...(value.state ? { state: metadataOutline(value.state) } : {}) };
    default:
      return value;
  }
}
