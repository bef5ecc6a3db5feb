import t from 'tap'
import { clientKey } from '../../src/http/client-address.js'

t.test('an IPv4 address is the client as it is', async (t) => {
  t.equal(clientKey('203.0.113.7'), '203.0.113.7')
  t.equal(clientKey('10.0.0.1'), '10.0.0.1')
  t.not(clientKey('203.0.113.7'), clientKey('203.0.113.8'), 'two IPv4 neighbours are two clients')
})

t.test('an IPv6 address counts by its /64', async (t) => {
  t.equal(clientKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64')
  t.equal(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), 'anywhere in the same /64 is the same client')
  t.not(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'), 'the next /64 is another client')
  t.not(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:2:2::1'), 'a /64 differing higher up is another client')
})

t.test('every spelling of the same IPv6 network gives the same key', async (t) => {
  const spellings = [
    '2001:db8:0:0:1::',
    '2001:DB8::1:0:0:0',
    '2001:0db8:0000:0000:0001:0000:0000:0000',
    '2001:db8::1:0:0:9',
    '2001:db8:0:0:ffff::1',
    '2001:db8::5.6.7.8'
  ]
  for (const spelling of spellings) t.equal(clientKey(spelling), '2001:db8:0:0::/64', spelling)
  t.equal(clientKey('fe80::1%eth0'), clientKey('fe80::2'), 'a zone index is not part of the network')
  t.equal(clientKey('::'), '0:0:0:0::/64', 'the unspecified address')
  t.equal(clientKey('2001:db8:1:2:3:4:5.6.7.8'), '2001:db8:1:2::/64', 'an embedded IPv4 tail')
})

t.test('an IPv4-mapped IPv6 address counts as its IPv4 address', async (t) => {
  t.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7')
  t.equal(clientKey('::FFFF:cb00:7107'), '203.0.113.7', 'in hexadecimal too')
  t.equal(clientKey('0:0:0:0:0:ffff:10.0.0.1'), '10.0.0.1', 'written out in full')
  t.not(clientKey('::ffff:203.0.113.7'), clientKey('::ffff:203.0.113.8'), 'two mapped neighbours stay two clients, not one /64')
  t.equal(clientKey('64:ff9b::203.0.113.7'), '64:ff9b:0:0::/64', 'a NAT64 address is not IPv4-mapped')
})

t.test('text that is no address comes back unchanged', async (t) => {
  t.equal(clientKey('not an address'), 'not an address')
  t.equal(clientKey('2001:db8:1:2::/64'), '2001:db8:1:2::/64', 'a /64 key is its own key, so a moderator may filter by it')
  t.equal(clientKey(''), '')
})
