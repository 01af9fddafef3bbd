// PromQL, offline: the Prometheus project's own Lezer grammar (@prometheus-io/lezer-promql, the
// parser behind the Prometheus UI's editor). It checks syntax only (not function arity or types),
// which is what a typo in a rule file breaks.
import { parser } from '@prometheus-io/lezer-promql';

/** Syntax errors of one expression, each with its offset and the text around it; empty when it parses. */
export function promqlSyntaxProblems(expr: string): string[] {
  const problems: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (!node.type.isError) return;
      const near = expr.slice(Math.max(0, node.from - 15), node.to + 15).replace(/\s+/g, ' ');
      problems.push(`syntax error at offset ${node.from}, near "${near}"`);
    },
  });
  return problems;
}

/** The metric names an expression selects (vector and range selectors). */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier !== null) names.add(expr.slice(identifier.from, identifier.to));
    },
  });
  return [...names].sort();
}
