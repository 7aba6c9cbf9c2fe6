import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  agentKeyPairFromPem, encodeAesKeys, encryptAuthHeader, encryptBody, decryptBody, loadAgentPrivateKey,
  parseAgentPublicKey, rsaDecryptChunked, rsaEncryptChunked,
} from "../../../src/obshell/crypto";

// Protocol document §7: fixed test key and vectors.
const fixtures = join(__dirname, "..", "..", "fixtures");
const TEST_PEM = readFileSync(join(fixtures, "test-agent-key-1024.pem"), "utf8");
const TEST_PUBLIC = "MIGJAoGBALFWmGOjodmr2H8fzBqbVAvXIa3/kJUsZVTljOWlvTbrUsVfDJippJFYX+LNZi2EnoPh4FU7evmb0uiyNNnaxl9A3uMRZUxTckKd187kU7wopD/80sn0kD9UqBp3wZPf8RLNy3j4USlHkOlfbthEwfdOrkoolszDyOxId4tZXOF3AgMBAAE=";
const keys = { key: Buffer.from("000102030405060708090a0b0c0d0e0f", "hex"), iv: Buffer.from("101112131415161718191a1b1c1d1e1f", "hex") };

describe("crypto: protocol §7 vectors", () => {
  it("§7.1 derives the published public key from the test private key", () => {
    const pair = agentKeyPairFromPem(TEST_PEM);
    assert.equal(pair.publicKeyBase64, TEST_PUBLIC);
    assert.equal(pair.bits, 1024);
    const pub = parseAgentPublicKey(TEST_PUBLIC);
    assert.equal(pub.bits, 1024);
    assert.equal(pub.blockSize, 128);
    assert.match(pub.fingerprint, /^[0-9a-f]{64}$/);
  });

  it("§7.2 header keys and AES bodies are byte-exact", () => {
    assert.equal(encodeAesKeys(keys), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    assert.equal(encryptBody('{"operator":"RETRY"}', keys), "V0x3LyhGn+EdhlrgEdJdItwURDWmOCgP8zs5Wrq05TY=");
    const add = '{"home_path":"/home/admin/obproxy","name":"","sql_port":2883,"rpc_port":2885,"exporter_port":2884,"rs_list":null,"config_url":null,"proxyro_password":"","obproxy_sys_password":"","parameters":null}';
    const body = encryptBody(add, keys);
    assert.equal(body, "1onPoQbCSwbx7kDhrLleNkekVtsQtBUWPWnUiK0AuKqu2dMhXeFNmvdWc49JEbgnosKDpkmJsYuLIa0AGsdxL3ayrzgjESW13NqCpF5IZuih2G40EslZW2HdHkEnkcmodFOuOZBxZV0zXJ7dp33YmTZD62rsuV0uQdcqP0MZD8N10P1HjSutC1YDd3HiMwD7bn6rTVPD0Wu3J4p6dc7fjc5NRmj2Edvz90f4Ga49GXpmHJCdkAYyVgY7n3WBttc2PswUV1y2G63DTsKTUUz4cg==");
    assert.equal(decryptBody(body, keys).toString("utf8"), add);
  });

  it("§7.3 the fixed header ciphertext decrypts to the fixed plaintext", () => {
    const vector = "RtyVBEQAYRB492WjYcMByAimCKthNcTWSWyfSJT9FBm5VQU3NFKElK9O++MxyMyC9eoZFnoMaXDdNYil+4mK1nxoOH6V/2sMwWfV4aaPmpGC+m0na0XNVHHINPP3R2+BI+8/KK6zZb9HUacOMgIyd2EJIcmTQ5BGPBvd1yKD7BdiE/MuZ3Dz91IMjo1PUAWH6KJCdlzDKhNCbgEsF0zSTzrtJodKWiC/6rqsx1MZNgWjgq7AR3hOt3qUgDVRYF0TWf1o8gfpcb5N9qDrOgWiC/9yw+WmYguPNNe2WyqIoiahwZ+3kFskJI2xsmfEYVB+Y3VOBOX7o6+Tx6h65jAxzY3Yj+T9wSJADHNqxLHM2X5YOktBbDeAuybsC0UlBObnLK/gOBiSaz+U2aNqi7nYxuurlHcUcMsC/KkDKiENx/Bn5iW1/OmJqDHNlVKlQcQkIQW8dA6KfijEho7tEmkevCnOY2e7mhp3ASm2vsXepktJm/L+QJXLhpVTTkYFBXRq";
    const plain = rsaDecryptChunked(vector, loadAgentPrivateKey(TEST_PEM)).toString("utf8");
    assert.equal(plain, '{"auth":"agentpwd","ts":"1893456000","uri":"/api/v1/task/dag/42130706433028861","keys":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}');
  });

  it("§7.4.2 chunking: 53-byte and k-11-byte chunks both decrypt, for several sizes", () => {
    const pub = parseAgentPublicKey(TEST_PUBLIC);
    const priv = loadAgentPrivateKey(TEST_PEM);
    for (const size of [0, 1, 52, 53, 54, 117, 118, 512]) {
      const plain = Buffer.alloc(size, "x");
      for (const chunk of [53, 117]) {
        const b64 = rsaEncryptChunked(plain, pub, chunk);
        const blocks = Buffer.from(b64, "base64").length / 128;
        assert.equal(blocks, Math.max(1, Math.ceil(size / chunk)), `size ${size} chunk ${chunk}`);
        assert.deepEqual(rsaDecryptChunked(b64, priv), plain);
      }
    }
  });

  it("round-trips a Go-style header", () => {
    const pub = parseAgentPublicKey(TEST_PUBLIC);
    const value = encryptAuthHeader({ auth: "pw", ts: "1893456000", uri: "/api/v1/obproxy", keys: null }, pub, "go");
    const json = rsaDecryptChunked(value, loadAgentPrivateKey(TEST_PEM)).toString("utf8");
    assert.equal(json, '{"Auth":"pw","Ts":"1893456000","Uri":"/api/v1/obproxy","Keys":null}');
  });

  it("rejects non-base64 and wrongly sized headers", () => {
    const priv = loadAgentPrivateKey(TEST_PEM);
    assert.throws(() => rsaDecryptChunked("not base64!", priv));
    assert.throws(() => rsaDecryptChunked(Buffer.alloc(100).toString("base64"), priv));
  });
});

describe("crypto: PKCS#1 v1.5 type-2 padding removal (agent side)", () => {
  it("accepts 00 02 PS(≥8 non-zero) 00 M and rejects every other shape", async () => {
    const { removePkcs1Type2Padding } = await import("../../../src/obshell/crypto");
    const ps = Buffer.alloc(8, 0x5a);
    const ok = Buffer.concat([Buffer.from([0, 2]), ps, Buffer.from([0]), Buffer.from("msg")]);
    assert.equal(removePkcs1Type2Padding(ok).toString(), "msg");
    assert.equal(removePkcs1Type2Padding(Buffer.concat([Buffer.from([0, 2]), ps, Buffer.from([0])])).length, 0);
    const bad = [
      Buffer.concat([Buffer.from([0, 1]), ps, Buffer.from([0]), Buffer.from("msg")]), // type 1
      Buffer.concat([Buffer.from([1, 2]), ps, Buffer.from([0]), Buffer.from("msg")]), // leading byte
      Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(7, 0x5a), Buffer.from([0]), Buffer.from("msg")]), // PS too short
      Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(12, 0x5a)]), // no separator
    ];
    for (const em of bad) assert.throws(() => removePkcs1Type2Padding(em), /decryption error/);
  });
});
