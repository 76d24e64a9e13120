// meta.k8s.io/v1 Table rendering (pure), following the columns and cell rules of the API server's
// printers (pkg/printers/internalversion) for the kinds the sim serves.
import type { ResourceInfo } from './resources.ts';
import { coreLayout } from './tables-core.ts';
import { extraLayout } from './tables-extra.ts';
import type { KObject, Obj } from './types.ts';

export { humanDuration, podStatusCells } from './table-cells.ts';

const layout = (info: ResourceInfo): ReturnType<typeof coreLayout> => extraLayout(info.kind, info.custom) ?? coreLayout(info);

function partial(obj: KObject): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(
  info: ResourceInfo,
  objects: KObject[],
  now: number,
  options: { includeObject?: string; resourceVersion?: string; continue?: string; noHeaders?: boolean } = {},
): Obj {
  const { cols, cells } = layout(info);
  const mode = options.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion ?? '', ...(options.continue ? { continue: options.continue } : {}) },
    ...(options.noHeaders
      ? {}
      : { columnDefinitions: cols.map(([name, type, priority = 0, format = '']) => ({ name, type, format, description: '', priority })) }),
    rows: objects.map((o) => ({ cells: cells(o, now), object: mode === 'None' ? undefined : mode === 'Object' ? o : partial(o) })),
  };
}
