import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir`, recursively. */
export function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The top-level folder under `srcRoot` a file lives in; files directly in src are the composition root. */
export function topFolder(srcRoot: string, file: string): string {
  const parts = relative(srcRoot, file).split(sep);
  return parts.length > 1 ? parts[0]! : '(root)';
}

/**
 * Folder → folders it imports from, for relative imports between files under `srcRoot`
 * (static, type-only, re-exports and dynamic `import()` alike: all of them couple the folders).
 * Each edge keeps one example import so a failure can say where to look.
 */
export function folderGraph(srcRoot: string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(srcRoot)) {
    const from = topFolder(srcRoot, file);
    if (!graph.has(from)) graph.set(from, new Map());
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), fileName);
      if (!target.startsWith(srcRoot + sep)) continue;
      const to = topFolder(srcRoot, target);
      if (to !== from && !graph.get(from)!.has(to)) graph.get(from)!.set(to, `${relative(srcRoot, file)} → ${fileName}`);
    }
  }
  return graph;
}

/** One cycle per strongly connected component of more than one folder, as a path `a → b → a`. */
export function folderCycles(graph: Map<string, Map<string, string>>): string[][] {
  // Tarjan's algorithm: each component with two or more nodes holds at least one cycle.
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    order.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, order.get(next)!));
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!order.has(node)) visit(node);
  return components.map((component) => cyclePath(graph, new Set(component)));
}

/** A shortest cycle through the component's first folder (breadth-first, inside the component). */
function cyclePath(graph: Map<string, Map<string, string>>, members: Set<string>): string[] {
  const start = [...members].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}
