/**
 * Scenario "peer stack": the message read as a typical Node stack serves it. Express 5 over
 * node:https with helmet (security headers), express-rate-limit (a per-address limit set high,
 * so that it decides on every request but never refuses, as in gatehouse-read) and passport
 * with passport-http-bearer; the bearer strategy looks the token up in the same SQLite
 * database (Gatehouse's schema: token id, SHA-256 of the secret compared in constant time,
 * expiry, revocation, the user), then the route reads the message by primary key. No audit,
 * no space membership check, no encryption at rest: less work than Gatehouse does.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import passport from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { constantTimeEqual, hashSecret, newId, newSecret } from '../../src/crypto/random.ts';
import { openSeededSqlite } from './sqliteFixture.ts';
import { announceReady, benchDataDir, benchTlsOptions, runServer, stopOnSignal } from './serverChild.ts';

interface TokenRow {
  secret_hash: string;
  expires_at: number;
  revoked_at: number | null;
  user_id: string;
  username: string;
  disabled: number;
}

interface MessageRow {
  id: string;
  text: string;
  created_at: number;
  username: string;
}

runServer(async () => {
  const { sqlite, authorId, spaceId, messageId } = await openSeededSqlite(benchDataDir());
  const tokenId = newId();
  const secret = newSecret();
  const now = Date.now();
  sqlite.prepare('insert into api_tokens (id, user_id, name, secret_hash, scopes, created_at, expires_at, revoked_at) values (?, ?, ?, ?, ?, ?, ?, null)')
    .run(tokenId, authorId, 'bench', hashSecret(secret), 'read write', now, now + 24 * 3600_000);

  const findToken = sqlite.prepare<[string], TokenRow>(
    `select api_tokens.secret_hash, api_tokens.expires_at, api_tokens.revoked_at, users.id as user_id, users.username, users.disabled
       from api_tokens join users on users.id = api_tokens.user_id
      where api_tokens.id = ?`,
  );
  const readMessage = sqlite.prepare<[string, string], MessageRow>(
    `select messages.id, messages.text, messages.created_at, users.username
       from messages join users on users.id = messages.author_id
      where messages.space_id = ? and messages.id = ?`,
  );

  passport.use(new BearerStrategy((token, done) => {
    const dot = token.indexOf('.');
    const row = dot > 0 ? findToken.get(token.slice(0, dot)) : undefined;
    const matches = constantTimeEqual(hashSecret(token.slice(dot + 1)), row?.secret_hash ?? 'x'.repeat(43));
    if (!row || !matches || row.revoked_at !== null || row.expires_at <= Date.now() || row.disabled === 1) return done(null, false);
    return done(null, { id: row.user_id, username: row.username });
  }));

  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(rateLimit({ windowMs: 1000, limit: 1_000_000, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(passport.initialize());
  app.get('/v1/spaces/:spaceId/messages/:messageId', passport.authenticate('bearer', { session: false }), (req, res) => {
    const row = readMessage.get(req.params.spaceId, req.params.messageId);
    if (!row) {
      res.status(404).json({ title: 'Not Found' });
      return;
    }
    res.json({ id: row.id, author: row.username, text: row.text, createdAt: new Date(row.created_at).toISOString() });
  });

  const server = https.createServer(await benchTlsOptions(), app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stopOnSignal(() => new Promise((resolve) => {
    server.close(() => {
      sqlite.close();
      resolve();
    });
    server.closeAllConnections();
  }));
  announceReady({
    port: (server.address() as AddressInfo).port,
    method: 'GET',
    path: `/v1/spaces/${spaceId}/messages/${messageId}`,
    headers: { authorization: `Bearer ${tokenId}.${secret}` },
    expectStatus: 200,
  });
});
