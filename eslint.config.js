import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', '.tap/**'] }),
  {
    rules: {
      // `void promise` marks a deliberately unawaited call (fastify's reply.header returns the reply).
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
