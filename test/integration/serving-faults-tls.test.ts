/**
 * Connection set-up is not server latency: the measured phase's connections are opened ahead of it (at least
 * --concurrency), every request records whether it opened one and how long that took (connect + TLS, kept out
 * of TTFT), and measured requests that paid for TLS handshakes are warned about; plain reconnects (llama-server
 * closes the connection after every streamed response) are counted without a warning. The https server is the
 * scripted one on 127.0.0.1 with a self-signed certificate made here by openssl, trusted through --ca-cert.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { servingOptionsFromFlags } from "../../src/engines/openai/flags.js";
import { runServingBenchmark } from "../../src/execute/serving.js";
import type { Script } from "../support/scripted-server.js";
import { generationOf, scriptedServerPerTest, servingOptions } from "../support/serving-fixtures.js";
import { sayWhySkipped } from "../support/skips.js";

const serve = scriptedServerPerTest();
const dir = mkdtempSync(join(tmpdir(), "pb-tls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for IP 127.0.0.1, or the reason there is none (openssl missing or too old). */
function selfSigned(): { key: string; cert: string; certPath: string } | string {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  try {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", "/CN=127.0.0.1"],
        ...["-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "pipe", timeout: 20_000 },
    );
  } catch (err) {
    return `openssl could not make a self-signed certificate: ${(err as Error).message.split("\n")[0]}`;
  }
  return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8"), certPath };
}

const made = selfSigned();
const tls = typeof made === "string" ? null : made;
const stream: Script = { kind: "stream", tokens: 4, chunkDelayMs: 5 };

sayWhySkipped(tls === null, "TLS connections", typeof made === "string" ? made : "");

describe.skipIf(tls === null)(`TLS connections${tls === null ? ` (skipped: ${made})` : ""}`, () => {
  const cert = tls as NonNullable<typeof tls>;

  it("--concurrency 4 --warmup 1 over https: connections opened ahead, no measured request pays a handshake", async () => {
    const s = await serve(() => stream, { tls: { key: cert.key, cert: cert.cert } });
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(s.baseUrl, {
          concurrency: 4,
          warmup: 1,
          numRequests: 16,
          maxNewTokens: 4,
          caCert: cert.certPath,
        }),
      ),
    );
    expect(r.serving?.requests).toMatchObject({ completed: 16, failed: 0 });
    expect(r.serving?.connections).toMatchObject({ opened: 0, tls_handshakes: 0, setup_ms: null });
    expect(r.serving?.connections?.ready_ahead).toBe(4);
    expect(r.samples.every((x) => x.connection_ms === undefined)).toBe(true);
    expect(r.warnings.map((w) => w.code)).not.toContain("tls_handshakes_measured");
  });

  it("an https server that closes every connection: each request's handshake counted, kept out of TTFT, warned", async () => {
    const s = await serve(() => stream, { tls: { key: cert.key, cert: cert.cert }, closeAfterPost: true });
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(s.baseUrl, { concurrency: 2, numRequests: 6, maxNewTokens: 4, caCert: cert.certPath }),
      ),
    );
    expect(r.serving?.requests).toMatchObject({ completed: 6, failed: 0 });
    // the first ones find the connections left open by discovery and opened ahead; the server closes each
    // after its answer, so the later ones open a new one
    const c = r.serving?.connections;
    expect(c?.ready_ahead).toBe(2);
    expect(c?.opened).toBeGreaterThanOrEqual(3);
    expect(c?.tls_handshakes).toBe(c?.opened);
    expect(c?.setup_ms?.n).toBe(c?.opened);
    const paid = r.samples.filter((q) => q.connection_ms !== undefined);
    expect(paid).toHaveLength(c?.opened as number);
    for (const x of paid) {
      expect(x.connection_ms).toBeGreaterThan(0);
      expect(x.ttft_ms as number).toBeLessThan(x.elapsed_s * 1000 - (x.connection_ms as number) + 1e-9);
    }
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: "tls_handshakes_measured",
        handshakes: c?.opened,
        sent: 6,
        text: expect.stringMatching(/^\d of 6 measured requests waited for a new TLS connection/),
      }),
    );
  });

  it("without the CA: one line that names the certificate problem", async () => {
    const s = await serve(() => stream, { tls: { key: cert.key, cert: cert.cert } });
    await expect(runServingBenchmark(servingOptions(s.baseUrl))).rejects.toThrow(
      /cannot reach .*certificate/i,
    );
  });
});

describe("plain reconnects and the --ca-cert flag", () => {
  it("an http server that closes every connection: reconnects counted, no warning", async () => {
    const s = await serve(() => stream, { closeAfterPost: true });
    const r = generationOf(
      await runServingBenchmark(
        servingOptions(s.baseUrl, { concurrency: 2, numRequests: 6, maxNewTokens: 4 }),
      ),
    );
    expect(r.serving?.connections?.opened).toBeGreaterThanOrEqual(3);
    expect(r.serving?.connections?.tls_handshakes).toBe(0);
    expect(r.warnings.map((w) => w.code)).not.toContain("tls_handshakes_measured");
  });

  it("--ca-cert is read before anything is sent: a missing file or one that is not PEM is a usage error", async () => {
    const s = await serve(() => stream);
    await expect(
      runServingBenchmark(servingOptions(s.baseUrl, { caCert: join(dir, "missing.pem") })),
    ).rejects.toThrow(/^--ca-cert .*missing\.pem: ENOENT$/);
    expect(s.requests).toHaveLength(0);
    const flags = { "base-url": s.baseUrl, "ca-cert": "/x/ca.pem" };
    expect(servingOptionsFromFlags(flags, "generation", 3).caCert).toBe("/x/ca.pem");
    expect(servingOptionsFromFlags({ "base-url": s.baseUrl }, "generation", 3).caCert).toBeUndefined();
  });
});
