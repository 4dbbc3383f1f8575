/** Inference's public contract: the only module other components import. */
export * from './canonical-url.ts';
export * from './predict.ts';
