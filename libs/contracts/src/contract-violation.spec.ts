import { ContractViolationError, formatPath, violation } from './contract-violation';

describe('contract violations', () => {
  it('paths read like property access: data.users[3].userId', () => {
    expect(formatPath('data', ['users', 3, 'userId'])).toBe('data.users[3].userId');
    expect(formatPath(undefined, ['specversion'])).toBe('specversion');
    expect(formatPath(undefined, [])).toBe('(root)');
  });

  it('path segments that are not identifiers are masked, since they could be input', () => {
    expect(formatPath('data', ['reasons', 'anna@example.com'])).toBe('data.reasons[?]');
  });

  it('the message lists at most five issues and counts the rest', () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ path: `p${i}`, message: 'm' }));
    const v = violation('invalid_data', 'bad', issues);
    expect(v.message).toBe('bad: p0: m; p1: m; p2: m; p3: m; p4: m; and 2 more');
    expect(v.issues).toHaveLength(7);
  });

  it('ContractViolationError carries the violation and its message', () => {
    const v = violation('empty', 'value is empty');
    const error = new ContractViolationError(v);
    expect(error).toBeInstanceOf(Error);
    expect(error.violation).toBe(v);
    expect(error.message).toBe('value is empty');
  });
});
