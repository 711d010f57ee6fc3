import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** TLS material for the authority listener: a local CA (give its path to NODE_EXTRA_CA_CERTS) and a server certificate it signed. */
export interface TlsMaterial {
  readonly dir: string;
  readonly caCertPath: string;
  readonly cert: string;
  readonly key: string;
  /** Removes the directory when it was a temporary one. */
  dispose(): Promise<void>;
}

const CA_CERT = 'ca.pem';
const CA_KEY = 'ca-key.pem';
const SERVER_CERT = 'server.pem';
const SERVER_KEY = 'server-key.pem';
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Returns a CA and a server certificate for 127.0.0.1 and localhost. With `cacheDir`, existing
 * files there are reused while valid for another day (so NODE_EXTRA_CA_CERTS can stay the same
 * between runs); without it they are generated into a temporary directory removed by dispose().
 */
export async function ensureTlsMaterial(cacheDir?: string): Promise<TlsMaterial> {
  const temporary = cacheDir === undefined;
  const dir = cacheDir ?? (await mkdtemp(path.join(tmpdir(), 'marketplace-emulator-tls-')));
  await mkdir(dir, { recursive: true });
  if (!(await isUsable(dir))) await generate(dir);
  return {
    dir,
    caCertPath: path.join(dir, CA_CERT),
    cert: await readFile(path.join(dir, SERVER_CERT), 'utf8'),
    key: await readFile(path.join(dir, SERVER_KEY), 'utf8'),
    dispose: async () => {
      if (temporary) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function isUsable(dir: string): Promise<boolean> {
  const files = [CA_CERT, SERVER_CERT, SERVER_KEY].map((name) => path.join(dir, name));
  if (!files.every((file) => existsSync(file))) return false;
  try {
    const server = new X509Certificate(await readFile(path.join(dir, SERVER_CERT)));
    const ca = new X509Certificate(await readFile(path.join(dir, CA_CERT)));
    return new Date(server.validTo).getTime() > Date.now() + DAY_MS && server.checkIssued(ca) && server.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    throw new Error(`openssl ${args[0] ?? ''} failed: is the openssl CLI installed?`, { cause: error });
  }
}

async function generate(dir: string): Promise<void> {
  await openssl(dir, [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650',
    '-keyout', CA_KEY, '-out', CA_CERT,
    '-subj', '/CN=saas-fulfillment Marketplace emulator local CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-keyout', SERVER_KEY, '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  await writeFile(
    path.join(dir, 'server.ext'),
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  await openssl(dir, [
    'x509', '-req', '-in', 'server.csr', '-CA', CA_CERT, '-CAkey', CA_KEY, '-sha256', '-days', '825',
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-extfile', 'server.ext', '-out', SERVER_CERT,
  ]);
  await rm(path.join(dir, 'server.csr'), { force: true });
}
