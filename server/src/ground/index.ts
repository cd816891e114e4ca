// The ground layer: the vocabulary below every other layer (ARCHITECTURE.md). It
// imports nothing of the project; everything else may import it.

export * from './span';
export * from './codes';
export * from './findings';
export * from './format';
export * from './release';
export * from './suggest';
