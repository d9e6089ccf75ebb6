// `npm run verify:tls`: independent verification of the TLS configuration. Starts a server
// (fresh data dir, generated development certificate, or GATEHOUSE_TLS_CERT/KEY if set),
// then runs testssl.sh and nmap's ssl-enum-ciphers against it, offline, on loopback.
// Fails on any testssl.sh finding of severity LOW or higher that is not allow-listed below,
// and on an nmap "least strength" below A. Needs Debian's testssl.sh and nmap packages.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireTools, startPurposeServer } from './attacks/server.ts';

/** Findings a self-signed development certificate must trigger, and why they are acceptable for it. */
const DEV_CERT_ALLOWED: Record<string, string> = {
  cert_chain_of_trust: 'the development certificate is self-signed by design; production sets GATEHOUSE_TLS_CERT',
  cert_revocation: 'a self-signed development certificate has no CA, hence no CRL or OCSP responder',
};

const SEVERE = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

interface Finding { id: string; severity: string; finding: string }

function testsslFindings(jsonFile: string): Finding[] {
  const data = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { scanResult: Record<string, unknown>[] };
  const findings: Finding[] = [];
  for (const section of Object.values(data.scanResult[0] ?? {})) {
    if (!Array.isArray(section)) continue;
    for (const item of section as Finding[]) if (item && typeof item === 'object' && 'severity' in item) findings.push(item);
  }
  return findings;
}

async function main(): Promise<number> {
  requireTools('verify:tls', [{ command: 'testssl', pkg: 'testssl.sh' }, { command: 'nmap', pkg: 'nmap' }]);
  const usingDevCert = !process.env.GATEHOUSE_TLS_CERT;
  const tlsFiles: Record<string, string> = usingDevCert ? {} : { GATEHOUSE_TLS_CERT: process.env.GATEHOUSE_TLS_CERT!, GATEHOUSE_TLS_KEY: process.env.GATEHOUSE_TLS_KEY ?? '' };
  const server = await startPurposeServer({ name: 'gatehouse-tls', env: tlsFiles });
  const { port, dataDir } = server;
  try {
    console.log(`== testssl.sh against 127.0.0.1:${port} (this takes about two minutes)`);
    const jsonFile = path.join(dataDir, 'testssl.json');
    spawnSync('testssl', ['--nodns', 'none', '--ip', '127.0.0.1', '--quiet', '--color', '0', '--warnings', 'off', '--jsonfile-pretty', jsonFile, `localhost:${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (!fs.existsSync(jsonFile)) throw new Error('testssl.sh wrote no results');
    const findings = testsslFindings(jsonFile);
    const scanProblems = findings.filter((f) => f.severity === 'FATAL' || (f.id === 'scanProblem'));
    const severe = findings.filter((f) => SEVERE.has(f.severity));
    const allowed = severe.filter((f) => usingDevCert && f.id in DEV_CERT_ALLOWED);
    const failing = severe.filter((f) => !allowed.includes(f)).concat(scanProblems);
    for (const f of allowed) console.log(`  allowed  ${f.severity.padEnd(8)} ${f.id}: ${f.finding} (${DEV_CERT_ALLOWED[f.id]})`);
    for (const f of failing) console.log(`  FINDING  ${f.severity.padEnd(8)} ${f.id}: ${f.finding}`);
    console.log(`  ${findings.length} checks, ${severe.length} at LOW or above, ${failing.length} failing`);

    console.log('== nmap --script ssl-enum-ciphers');
    const nmap = spawnSync('nmap', ['--script', 'ssl-enum-ciphers', '-p', String(port), '127.0.0.1'], { encoding: 'utf8' });
    const strength = /least strength: ([A-F])/.exec(nmap.stdout)?.[1];
    console.log(nmap.stdout.split('\n').filter((l) => l.startsWith('|')).join('\n'));
    const nmapOk = strength === 'A';
    if (!nmapOk) console.log(`  FINDING  nmap least strength is ${strength ?? 'unknown'}, expected A`);
    const ok = failing.length === 0 && nmapOk;
    console.log(ok ? 'verify:tls passed' : 'verify:tls FAILED');
    return ok ? 0 : 1;
  } finally {
    await server.dispose();
  }
}

process.exitCode = await main();
