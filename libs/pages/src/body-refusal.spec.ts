import { bodyRefusal } from './body-refusal';

/** What body-parser (through http-errors) throws, as far as the check reads it. */
const parserError = (status: number, type: string) =>
  Object.assign(new Error('request entity too large'), {
    status,
    statusCode: status,
    expose: true,
    type,
  });

describe('bodyRefusal', () => {
  it.each([
    [413, 'entity.too.large'],
    [400, 'entity.parse.failed'],
    [415, 'charset.unsupported'],
  ])('recognises body-parser refusing a body with %d (%s)', (status, type) => {
    expect(bodyRefusal(parserError(status, type))).toEqual({ status, reason: type });
  });

  it('recognises the refusal inside the HttpException that Nest 12 wraps it in', () => {
    const wrapped = Object.assign(new Error('Payload Too Large'), {
      status: 413,
      cause: parserError(413, 'entity.too.large'),
    });
    expect(bodyRefusal(wrapped)).toEqual({ status: 413, reason: 'entity.too.large' });
  });

  it.each([
    ['an error of ours', new Error('boom')],
    ['a 500 that exposes nothing', Object.assign(new Error('x'), { status: 500, type: 'x' })],
    ['an exposed status we do not expect', parserError(404, 'not.found')],
    ['a refusal without its reason', Object.assign(new Error('x'), { status: 413, expose: true })],
    ['no object at all', 'entity.too.large'],
    ['nothing', undefined],
  ])('leaves %s alone: it stays a 500', (_what, error) => {
    expect(bodyRefusal(error)).toBeUndefined();
  });
});
