// Benchmark entry: the release module plus one export telling where its
// static data ends (__heap_base), so the bench can report static RAM.
export * from "../../assembly/index";

export function heap_base(): usize {
  return __heap_base;
}
