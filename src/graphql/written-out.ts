/**
 * An operation's selections as if written out, named fragments in place: what its cost and its
 * compiled code grow with. Each fragment is reckoned once however often it is spread, so a
 * document spreading fragments exponentially often costs one pass over its text (validation
 * has refused cycles; were one here, it would count nothing).
 */
import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** A field's weight, given what its selection weighs (`inner`, for fields that have one). */
type FieldWeight = (field: FieldNode, inner: (selectionSet: SelectionSetNode) => number) => number;

export function weighWrittenOut(selectionSet: SelectionSetNode, document: DocumentNode, weigh: FieldWeight): number {
  const fragments = new Map(fragmentsOf(document).map((fragment) => [fragment.name.value, fragment]));
  const reckoned = new Map<string, number>();
  const fold = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += weigh(selection, fold);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += fold(selection.selectionSet);
      else total += spread(selection.name.value);
    }
    return total;
  };
  const spread = (name: string): number => {
    let weight = reckoned.get(name);
    if (weight === undefined) {
      reckoned.set(name, 0);
      const fragment = fragments.get(name);
      weight = fragment ? fold(fragment.selectionSet) : 0;
      reckoned.set(name, weight);
    }
    return weight;
  };
  return fold(selectionSet);
}

export function fragmentsOf(document: DocumentNode): FragmentDefinitionNode[] {
  return document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
}
