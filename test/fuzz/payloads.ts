import type { Prng } from '../../src/simulators/seed/prng.js'
import { deepJson } from './json-text.js'
import { POLLUTED } from './values.js'

/** A body as bytes on the wire (text is sent as UTF-8). */
export type Payload = string | Buffer

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8')

const memo = new Map<string, string>()
/** Big bodies are built once: the fuzz spends its time in the gateway, not in making strings. */
const big = (key: string, make: () => string): string => {
  let text = memo.get(key)
  if (text === undefined) memo.set(key, text = make())
  return text
}

/** Whole bodies that are not what a JSON parser hopes for. */
export function rawPayload (rng: Prng, bodyLimit: number): Payload {
  switch (rng.int(0, 29)) {
    case 0: { const n = rng.pick([1000, 10_000, 10_000, 100_000]); return big(`a${n}`, () => deepJson(n, 'array')) }
    case 1: { const n = rng.pick([1000, 10_000, 10_000, 100_000]); return big(`o${n}`, () => deepJson(n, 'object')) }
    case 2: return Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x80, 0x22, 0x7d]) // {"a":"<invalid UTF-8>"}
    case 3: return Buffer.concat([utf8('{"personalId":"'), Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xf0, 0x80, 0x80, 0xaf]), utf8('"}')]) // overlong '/'
    case 4: return Buffer.concat([utf8('{"a":"'), Buffer.from([0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf]), utf8('"}')]) // UTF-8 encoded surrogates
    case 5: return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('{"grant_type":"client_credentials"}')]) // BOM
    case 6: return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"personalId":"079203001234"}', 'utf16le')]) // UTF-16LE
    case 7: return Buffer.from('{"personalId":"079203001234"}', 'utf16le') // UTF-16 without BOM
    case 8: return Buffer.concat([Buffer.from([0x00, 0x00, 0xfe, 0xff]), Buffer.from('{}', 'latin1')]) // UTF-32 BOM
    case 9: return `{"a":1,"a":2,"a":{"b":1},"a":[${'"a",'.repeat(100)}"a"]}` // duplicated keys
    case 10: return `{"__proto__":{"${POLLUTED}":"yes","roles":["admin"]},"constructor":{"prototype":{"${POLLUTED}":"yes"}}}`
    case 11: return rng.pick(['1e309', '-0', 'NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '01', '1.', '.5', '+1', '1e999999999'])
    case 12: return rng.pick(['', ' ', '\n', '\t\r\n ', '\u0000'])
    case 13: return rng.pick(['null', 'true', 'false', '"string"', '[]', '{}', '0', '[null]', '[{}]'])
    case 14: return rng.pick(['{', '}', '{"a":', '{"a":1', '{"a":1,}', '[1,]', '{a:1}', "{'a':1}", '{"a":1}}', '{}{}', '{} x', '/* c */{}', '{"a":"\\x41"}', '{"a":"\\ud800"}', '{"a":"\\u00"}'])
    case 15: return big(`limit${bodyLimit}`, () => '{"a":"' + 'x'.repeat(bodyLimit) + '"}') // just over the body limit
    case 16: return big('numbers', () => '[' + '1,'.repeat(100_000) + '1]') // 200 KB of numbers
    case 17: return big('wide', () => '{' + Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',') + '}') // wide object
    case 18: return big('nuls', () => '{"a":"' + '\\u0000'.repeat(20_000) + '"}')
    case 19: return 'grant_type=client_credentials&client_id=fuzz&client_secret=x&__proto__[fuzzPolluted]=yes&constructor[prototype][fuzzPolluted]=yes'
    case 20: return rng.pick(['a=1&a=2&a=3', 'a[b][c][d]=1', '%ZZ=%ZZ', '=&=&=', 'a=' + '%'.repeat(1000), '&'.repeat(5000)])
    case 21: return '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'
    case 22: return '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    case 23: return Buffer.from(Array.from({ length: rng.int(1, 2048) }, () => rng.int(0, 255))) // noise
    case 24: return big('quotes', () => '"' + '\\"'.repeat(50_000) + '"')
    case 25: return big('digits', () => '{"a":' + '1'.repeat(100_000) + '}') // a 100,000-digit number
    case 26: return `{"items":[${'{"provinceCode":"01","date":"2024-01-01"},'.repeat(1500)}{}]}`
    case 27: return '{"\\u005f_proto__":{"' + POLLUTED + '":"yes"}}' // __proto__ spelled with an escape
    case 28: return ' \n {"grant_type" : "client_credentials" , "client_id":"x","client_secret":"y"}\n '
    default: return '\ufeff' + '{"personalId":"079203001234"}'
  }
}

/** Content types, right and wrong; undefined = no header at all. */
export const CONTENT_TYPES: ReadonlyArray<string | undefined> = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json;charset=latin1',
  'APPLICATION/JSON', 'application/json ; foo=bar', 'application/json, text/plain', 'application/vnd.api+json',
  'application/problem+json', 'text/json', 'text/plain', 'text/html', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', '*/*', 'application/*', '',
  'application', ';', 'application/json; charset="utf-8"; charset=ascii', 'a'.repeat(2000), undefined
]
