import t from 'tap'
import * as oauth from 'oauth4webapi'
import { build, ADMIN } from '../helper.js'

/**
 * The token endpoint as a standard OAuth 2.0 client library sees it (oauth4webapi, run against the gateway over
 * real HTTP): discovery through the RFC 8414 metadata, the client credentials grant with client_secret_post and
 * client_secret_basic, and every error the endpoint gives read as an OAuth error.
 */
t.test('oauth4webapi: discovery, client credentials (post and basic), and every token error', async (t) => {
  const app = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const insecure = { [oauth.allowInsecureRequests]: true } // the test gateway listens on plain HTTP on loopback
  const issuer = new URL(base)
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
  t.equal(as.token_endpoint, `${base}/v1/auth/token`)
  t.same(as.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post'])
  t.same(as.grant_types_supported, ['client_credentials'])

  const { secret } = await app.clients.create({ id: '000.00.00.H29', name: 'HCMC one-stop', roles: ['system'], grants: ['citizen.lookup'] })
  const client: oauth.Client = { client_id: '000.00.00.H29' }
  for (const [method, auth] of [['client_secret_post', oauth.ClientSecretPost(secret)], ['client_secret_basic', oauth.ClientSecretBasic(secret)]] as const) {
    const res = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), insecure)
    const tokens = await oauth.processClientCredentialsResponse(as, client, res)
    t.equal(tokens.token_type, 'bearer', method)
    t.ok(tokens.expires_in !== undefined && tokens.expires_in <= 900, method)
    const services = await fetch(`${base}/v1/services`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    t.equal(services.status, 200, `${method}: the token opens the API`)
  }

  const tokenError = async (c: oauth.Client, auth: oauth.ClientAuth, grant?: string): Promise<oauth.ResponseBodyError | oauth.WWWAuthenticateChallengeError> => {
    const res = grant === undefined
      ? await oauth.clientCredentialsGrantRequest(as, c, auth, new URLSearchParams(), insecure)
      : await oauth.genericTokenEndpointRequest(as, c, auth, grant, new URLSearchParams({ username: 'u', password: 'p' }), insecure)
    try {
      await (grant === undefined ? oauth.processClientCredentialsResponse(as, c, res) : oauth.processGenericTokenEndpointResponse(as, c, res))
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError || err instanceof oauth.WWWAuthenticateChallengeError) return err
      throw err
    }
    throw new Error('no error')
  }
  const wrong = await tokenError(client, oauth.ClientSecretPost('wrong-secret'))
  t.ok(wrong instanceof oauth.ResponseBodyError, 'bad secret')
  t.match(wrong, { error: 'invalid_client', status: 401, error_description: String })
  const unknown = await tokenError({ client_id: 'nobody-here' }, oauth.ClientSecretPost('whatever'))
  t.match(unknown, { error: 'invalid_client', status: 401 }, 'unknown client')
  t.equal((unknown as oauth.ResponseBodyError).error_description, (wrong as oauth.ResponseBodyError).error_description, 'unknown and wrong read the same')

  const basicWrong = await tokenError(client, oauth.ClientSecretBasic('wrong-secret'))
  t.ok(basicWrong instanceof oauth.WWWAuthenticateChallengeError, 'bad secret by Basic: a Basic challenge (RFC 6749 §5.2)')
  const challenge = (basicWrong as oauth.WWWAuthenticateChallengeError).cause[0]
  t.match(challenge, { scheme: 'basic', parameters: { realm: 'lienthong' } })
  t.match(await (basicWrong as oauth.WWWAuthenticateChallengeError).response.json(), { error: 'invalid_client' })

  const grant = await tokenError({ client_id: ADMIN.id }, oauth.ClientSecretPost(ADMIN.secret), 'password')
  t.match(grant, { error: 'unsupported_grant_type', status: 400 }, 'unsupported grant')
})
