import type { Command } from '../types.js'
import { pretty } from '../output.js'

export const token: Command = {
  path: ['token'],
  summary: 'print an access token for the client credentials',
  notes: ['Prints only the token, so it can be used as: curl -H "authorization: Bearer $(lienthong token)" ...'],
  options: {
    json: { type: 'boolean', help: 'print the whole token response as JSON' }
  },
  async run ({ values, io, gateway }) {
    const res = await gateway().token()
    io.out(values.json === true ? pretty(res) : res.access_token)
    return 0
  }
}

export default [token]
