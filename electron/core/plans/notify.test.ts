import { describe, expect, it } from 'vitest';
import { describeNotifyTarget, parseNotifyTarget } from '../../../shared/notify-targets.js';
import { PlanInput } from '../../../shared/contract/plans.js';
import { notifyRun, requestFor, type RunNotice } from './notify.js';

const base: RunNotice = { phase: 'end', plan: 'nightly', host: 'production', runner: 'agent@production', trigger: 'schedule', attempt: 1, final: true, startedAt: '2026-12-05T02:00:00.000Z', result: 'succeeded', snapshotId: 's1' };

describe('notification targets', () => {
  it('reads the kind from a prefix or the host', () => {
    expect(parseNotifyTarget('https://hooks.slack.com/services/T/B/x')).toEqual({ kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x' });
    expect(parseNotifyTarget('https://hc-ping.com/uuid')).toMatchObject({ kind: 'ping' });
    expect(parseNotifyTarget('ping:http://127.0.0.16:8099/p')).toEqual({ kind: 'ping', url: 'http://127.0.0.16:8099/p' });
    expect(parseNotifyTarget('https://example.org/hook')).toMatchObject({ kind: 'webhook' });
    expect(parseNotifyTarget('ftp://x/y')).toMatch(/only http and https/);
    expect(parseNotifyTarget('https://user:pw@example.org/')).toMatch(/no user or password/);
    expect(parseNotifyTarget('not a url')).toMatch(/not a URL/);
    // Shown without the path, which holds the token.
    expect(describeNotifyTarget('https://hooks.slack.com/services/T/B/secret')).toBe('slack https://hooks.slack.com/…');
  });

  it('the plan contract refuses a bad entry in words', () => {
    const r = PlanInput.safeParse({ name: 'p', hostId: 'h', repositoryId: 'r', sources: [{ kind: 'volume', volume: 'v' }], schedule: { cron: 'daily', timeZone: 'UTC' }, notify: ['ftp://x'] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/only http and https/);
  });
});

describe('who hears what', () => {
  const webhook = { kind: 'webhook' as const, url: 'https://h.example/x' };
  const slack = { kind: 'slack' as const, url: 'https://hooks.slack.com/x' };
  const ping = { kind: 'ping' as const, url: 'https://hc-ping.com/u/' };
  it('webhook: every end, failed attempts too, with the run as JSON', () => {
    expect(requestFor(webhook, { ...base, phase: 'start' })).toBeNull();
    const failed = requestFor(webhook, { ...base, result: 'failed', final: false, error: 'boom' })!;
    expect(failed.method).toBe('POST');
    expect(JSON.parse(failed.body!)).toMatchObject({ event: 'hindsight.plan.run', plan: 'nightly', result: 'failed', final: false, error: 'boom' });
  });
  it('slack: only final outcomes', () => {
    expect(requestFor(slack, { ...base, result: 'failed', final: false })).toBeNull();
    expect(JSON.parse(requestFor(slack, base)!.body!).text).toMatch(/nightly.*production.*s1/);
    expect(JSON.parse(requestFor(slack, { ...base, result: 'failed', error: 'disk full', attempt: 4 })!.body!).text).toMatch(/FAILED after 4 attempt\(s\): disk full/);
  });
  it('ping: start, success, fail once retries are spent', () => {
    expect(requestFor(ping, { ...base, phase: 'start' })).toEqual({ url: 'https://hc-ping.com/u/start', method: 'GET' });
    expect(requestFor(ping, base)).toEqual({ url: 'https://hc-ping.com/u/', method: 'GET' });
    expect(requestFor(ping, { ...base, result: 'failed', final: false })).toBeNull();
    expect(requestFor(ping, { ...base, result: 'failed', final: true })).toEqual({ url: 'https://hc-ping.com/u/fail', method: 'GET' });
  });
  it('a failing receiver never fails the run', async () => {
    const calls: string[] = [];
    await expect(
      notifyRun(['https://a.example/x', 'ping:https://b.example/p'], base, {
        fetch: async (url) => {
          calls.push(url);
          if (url.includes('a.example')) throw new Error('ECONNREFUSED');
          return { ok: false, status: 500 };
        },
      }),
    ).resolves.toBeUndefined();
    expect(calls.sort()).toEqual(['https://a.example/x', 'https://b.example/p']);
  });
});
