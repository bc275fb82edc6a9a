import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * Refuses operations nested deeper than `maxDepth` fields, before any planning or upstream
 * call: a recursive query (model -> versions -> run -> ...) is how one request turns into
 * thousands of upstream calls. Fragments are followed; introspection fields count too.
 */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const sel of set.selections) {
        let depth = 0;
        if (sel.kind === Kind.FIELD) depth = sel.selectionSet ? 1 + depthOf(sel.selectionSet, seen) : 1;
        else if (sel.kind === Kind.INLINE_FRAGMENT) depth = depthOf(sel.selectionSet, seen);
        else {
          const name = sel.name.value;
          // A fragment cycle is reported by graphql's own NoFragmentCycles rule.
          if (seen.has(name)) continue;
          depth = depthOf(fragments.get(name)?.selectionSet, new Set([...seen, name]));
        }
        deepest = Math.max(deepest, depth);
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `${node.name ? `operation "${node.name.value}"` : 'the operation'} is ${depth} levels deep; the limit is ${maxDepth}`,
              { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP' } },
            ),
          );
        }
        return false;
      },
    };
  };
}
