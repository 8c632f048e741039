/** The pages of the development identity provider: plain HTML forms, no script, readable with a keyboard. */

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

const STYLE = 'body{font-family:system-ui,sans-serif;background:#f4f6f8;color:#1b1f24;margin:0}' +
  'main{max-width:22rem;margin:4rem auto;background:#fff;padding:1.5rem 2rem;border:1px solid #c8ced6;border-radius:6px}' +
  'h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}' +
  'input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #5b6672;border-radius:4px;font-size:1rem}' +
  'button{margin-top:1rem;width:100%;padding:.6rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;font-size:1rem;cursor:pointer}' +
  'button.secondary{background:#fff;color:#0b5cad;border:1px solid #0b5cad}' +
  ':focus-visible{outline:3px solid #b35c00;outline-offset:2px}.error{color:#a4161a;font-weight:600}.note{color:#3d4650}'

function page (title: string, body: string): string {
  return '<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escape(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`
}

export function devLoginPage (uid: string, error: string | undefined, nobody: boolean): string {
  const warn = nobody
    ? '<p class="error" role="alert">Nhà cung cấp định danh phát triển chưa có người dùng nào: đặt LIENTHONG_DEV_ADMIN_PASSWORD và LIENTHONG_DEV_AUDITOR_PASSWORD. (The development identity provider has nobody: set LIENTHONG_DEV_ADMIN_PASSWORD and LIENTHONG_DEV_AUDITOR_PASSWORD.)</p>'
    : ''
  return page('Đăng nhập (Sign in)', `<h1>Đăng nhập — Liên thông (Sign in)</h1>
<p class="note">Nhà cung cấp định danh phát triển (development identity provider)</p>${warn}
${error !== undefined ? `<p class="error" role="alert" id="login-error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="username">Tên đăng nhập (Username)</label>
<input id="username" name="username" required autofocus autocapitalize="off" spellcheck="false"${error !== undefined ? ' aria-describedby="login-error"' : ''}>
<label for="password">Mật khẩu (Password)</label>
<input id="password" name="password" type="password" required>
<button type="submit">Đăng nhập (Sign in)</button>
</form>`)
}

export function devLogoutPage (form: string): string {
  return page('Đăng xuất (Sign out)', `<h1>Đăng xuất khỏi Liên thông? (Sign out?)</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất (Sign out)</button>
<button class="secondary" type="submit" form="op.logoutForm">Ở lại (Stay signed in)</button>`)
}

export function devMessagePage (message: string): string {
  return page(message.slice(0, 60), `<h1>${escape(message)}</h1>`)
}
