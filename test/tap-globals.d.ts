// `Tap.Test` as a type name in test helpers: the type of the `t` a tap subtest receives.
declare global {
  namespace Tap {
    type Test = import('tap').Test
  }
}
export {}
