// Load GraphML and GEXF files with the graphology parsers (the ones Gephi Lite uses)
// and print one JSON line per file: format, node and edge counts, graph type, labels.
// Usage: node check_graph.mjs FILE.graphml FILE.gexf ...   Exit status 1 if a file fails to parse.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Graph from 'graphology';
import graphml from 'graphology-graphml';
import gexf from 'graphology-gexf';

const PARSERS = { '.graphml': graphml, '.gexf': gexf };

let failed = false;
for (const file of process.argv.slice(2)) {
  const parser = PARSERS[extname(file).toLowerCase()];
  try {
    if (!parser) throw new Error(`unknown extension: ${file}`);
    const graph = parser.parse(Graph, readFileSync(file, 'utf8'));
    const labels = {};
    graph.forEachNode((node, attributes) => {
      labels[node] = attributes.label ?? null;
    });
    console.log(
      JSON.stringify({
        file,
        format: extname(file).slice(1),
        nodes: graph.order,
        edges: graph.size,
        directed: graph.directedSize,
        undirected: graph.undirectedSize,
        type: graph.type,
        multi: graph.multi,
        labels,
      }),
    );
  } catch (error) {
    failed = true;
    console.log(JSON.stringify({ file, error: String(error && error.message) }));
  }
}
process.exit(failed ? 1 : 0);
