import * as client from 'openid-client'
import type { ConsoleConfig } from '../config.js'

/** What the sign-in start keeps until the provider sends the person back (server-side, by `state`). */
export interface PendingLogin { state: string, nonce: string, verifier: string, returnTo: string }

/** A person as the provider's ID token (signature checked against its JWKS) describes them. */
export interface SignedIn {
  claims: Record<string, unknown>
  idToken: string
  refreshToken?: string
  /** When the access token (and so this sign-in) stops being trusted without a refresh. */
  expiresAt: number
}

const DISCOVERY_DEADLINE_S = 5

/**
 * The gateway as an OpenID Connect relying party for the console (a backend for frontend): authorization code
 * with PKCE, the ID token's signature verified against the provider's JWKS (non-repudiation checks), refresh,
 * RP-initiated logout. Discovery runs on first use and again after a failure, so a provider that starts later
 * (or restarts) is picked up without restarting the gateway.
 */
export class PeopleOidc {
  readonly #cfg: NonNullable<ConsoleConfig['oidc']>
  readonly #redirectUri: string
  readonly #postLogoutUri: string
  #config: Promise<client.Configuration> | undefined

  constructor (cfg: NonNullable<ConsoleConfig['oidc']>, publicUrl: string) {
    this.#cfg = cfg
    this.#redirectUri = `${publicUrl}/console/auth/callback`
    this.#postLogoutUri = `${publicUrl}/console/`
  }

  get issuer (): string { return this.#cfg.issuer }

  async #configuration (): Promise<client.Configuration> {
    this.#config ??= (async () => {
      const insecure = new URL(this.#cfg.issuer).protocol === 'http:'
      const execute = [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])]
      const auth = this.#cfg.clientSecret !== undefined ? client.ClientSecretBasic(this.#cfg.clientSecret) : client.None()
      const c = await client.discovery(new URL(this.#cfg.issuer), this.#cfg.clientId, undefined, auth, { execute, timeout: DISCOVERY_DEADLINE_S })
      c.timeout = DISCOVERY_DEADLINE_S
      return c
    })()
    try {
      return await this.#config
    } catch (err) {
      this.#config = undefined
      throw err
    }
  }

  /** The provider's authorization URL for a new sign-in, and what to keep until the callback. */
  async start (returnTo: string): Promise<{ url: string, pending: PendingLogin }> {
    const config = await this.#configuration()
    const pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), returnTo }
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.#redirectUri,
      scope: this.#cfg.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256'
    })
    return { url: url.href, pending }
  }

  /** Exchanges the code of the callback URL (state, PKCE and nonce checked) for the person's tokens. */
  async finish (callbackUrl: URL, pending: PendingLogin): Promise<SignedIn> {
    const config = await this.#configuration()
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true
    })
    return this.#signedIn(tokens)
  }

  /** A refresh: new tokens and the person's current claims (roles changed at the provider take effect here). */
  async refresh (refreshToken: string): Promise<SignedIn> {
    const tokens = await client.refreshTokenGrant(await this.#configuration(), refreshToken)
    return this.#signedIn(tokens, refreshToken)
  }

  /** Where to send the browser to end the person's session at the provider too. */
  async endSessionUrl (idToken: string): Promise<string> {
    const config = await this.#configuration()
    if (config.serverMetadata().end_session_endpoint === undefined) return this.#postLogoutUri
    return client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: this.#postLogoutUri }).href
  }

  #signedIn (tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, previousRefresh?: string): SignedIn {
    const claims = tokens.claims()
    if (claims === undefined || tokens.id_token === undefined) throw new Error('the provider returned no ID token')
    const lifetime = tokens.expiresIn() ?? 300
    return {
      claims: claims as unknown as Record<string, unknown>,
      idToken: tokens.id_token,
      refreshToken: tokens.refresh_token ?? previousRefresh,
      expiresAt: Date.now() + lifetime * 1000
    }
  }
}
