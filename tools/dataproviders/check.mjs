// Drives the BFF's /api/users through the real admin data providers, the way an admin app does:
// react-admin's ra-data-json-server and ra-data-simple-rest (with ra-core's fetchUtils.fetchJson)
// and refine's @refinedev/simple-rest (with its axios instance). Prints one JSON line per check,
// {"provider":...,"check":...,"ok":true|false,...}, then a summary line, and exits 1 when any check
// failed (2 on bad arguments).
//
//   node check.mjs --url=http://127.0.0.1:8080/api --token=<admin access token> \
//     --prefix=dpcheck- --seeded=5 --disabled=dpcheck-e@example.com --admin-id=<admin user id>
//
// Every option may also come from the environment: BFF_API_URL, BFF_TOKEN, DP_PREFIX, DP_SEEDED,
// DP_DISABLED, DP_ADMIN_ID. The caller seeds `seeded` users whose emails start with `prefix` and
// differ in one letter (so that any collation sorts them alike), `disabled` among them disabled;
// no other user may match `prefix` as a substring of its email or display name. The users each
// provider creates are named `dpcreated-<provider>-...` and deleted again.
import refineSimpleRest, { axiosInstance as refineAxios } from '@refinedev/simple-rest';
import { fetchUtils } from 'ra-core';
import jsonServerProvider from 'ra-data-json-server';
import simpleRestProvider from 'ra-data-simple-rest';

function options() {
  const named = {};
  for (const arg of process.argv.slice(2)) {
    const match = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (!match) {
      usage(`unknown argument ${JSON.stringify(arg)}`);
    }
    named[match[1]] = match[2];
  }
  const pick = (name, env) => named[name] ?? process.env[env] ?? '';
  const result = {
    url: pick('url', 'BFF_API_URL').replace(/\/+$/, ''),
    token: pick('token', 'BFF_TOKEN'),
    prefix: pick('prefix', 'DP_PREFIX'),
    seeded: Number.parseInt(pick('seeded', 'DP_SEEDED'), 10),
    disabled: pick('disabled', 'DP_DISABLED'),
    adminId: pick('admin-id', 'DP_ADMIN_ID'),
  };
  for (const [key, value] of Object.entries(result)) {
    if (value === '' || Number.isNaN(value)) {
      usage(`missing --${key === 'adminId' ? 'admin-id' : key}`);
    }
  }
  if (result.seeded < 3) {
    usage('--seeded must be at least 3 (the paging check reads three pages)');
  }
  return result;
}

function usage(message) {
  process.stderr.write(
    `check.mjs: ${message}\nusage: node check.mjs --url=<BFF>/api --token=<bearer> ` +
      '--prefix=<seeded email prefix> --seeded=<count> --disabled=<email> --admin-id=<id>\n',
  );
  process.exit(2);
}

const config = options();
let failures = 0;
let passes = 0;

// Runs one named check: `body` returns a detail object or throws; prints one JSON line.
async function check(provider, name, body) {
  try {
    const detail = (await body()) ?? {};
    passes += 1;
    console.log(JSON.stringify({ provider, check: name, ok: true, ...detail }));
  } catch (error) {
    failures += 1;
    console.log(JSON.stringify({ provider, check: name, ok: false, error: describe(error) }));
  }
}

// An error as a JSON-friendly object: message, and what an HTTP client kept of the response.
function describe(error) {
  const out = { message: String(error?.message ?? error) };
  if (error?.status !== undefined) out.status = error.status;  // ra-core's HttpError
  if (error?.body !== undefined) out.body = error.body;
  if (error?.statusCode !== undefined) out.status = error.statusCode;  // refine's HttpError
  if (error?.response?.data !== undefined) out.body = error.response.data;
  if (error?.config?.url !== undefined) out.request = `${error.config.method} ${error.config.url}`;
  return out;
}

function expect(condition, message, actual) {
  if (!condition) {
    throw new Error(actual === undefined ? message : `${message}; got ${JSON.stringify(actual)}`);
  }
}

function expectEqual(actual, expected, what) {
  expect(
    JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}`,
    actual,
  );
}

// The promise must reject; returns the rejection.
async function rejection(promise, what) {
  try {
    const value = await promise;
    throw Object.assign(new Error(`${what} resolved instead of rejecting`), { value });
  } catch (error) {
    if (error?.value !== undefined) throw error;
    return error;
  }
}

// An RFC 9457 problem of the BFF with field errors.
function expectProblem(body, status, instance) {
  expect(body !== null && typeof body === 'object', 'the body is not a problem', body);
  expectEqual([body.type, body.title, body.status, body.instance],
    ['about:blank', 'Bad Request', status, instance], 'problem members');
  expect(typeof body.detail === 'string' && body.detail !== '', 'no detail', body);
  expect(body.errors !== null && typeof body.errors === 'object' &&
    Object.keys(body.errors).length > 0, 'no field errors', body);
}

function ids(records) {
  return records.map((record) => record.id);
}

function expectRecords(records, what) {
  expect(Array.isArray(records), `${what}: data is not an array`, records);
  for (const record of records) {
    expect(typeof record?.id === 'string' && record.id !== '', `${what}: a record has no id`, record);
  }
}

// `values` in ascending (or descending) order by plain string comparison.
function expectOrdered(values, order, what) {
  const sorted = [...values].sort();
  if (order === 'DESC') sorted.reverse();
  expectEqual(values, sorted, `${what} (${order})`);
}

// getList.pagination and getList.sort.<field>.<ORDER>, the same for every provider: `list` asks
// for one page of the seeded users ({ page, perPage, field, order: 'ASC' | 'DESC' }) in the
// provider's own dialect and answers { data, total }. Returns the seeded users in createTime
// order (empty when the pagination check failed).
async function checkPagingAndSorting(provider, list) {
  const { seeded } = config;
  let all = [];
  await check(provider, 'getList.pagination', async () => {
    const perPage = Math.ceil(seeded / 3);
    const pages = [];
    for (let page = 1; page <= 3; page += 1) {
      const result = await list({ page, perPage, field: 'createTime', order: 'ASC' });
      expectRecords(result.data, `page ${page}`);
      expectEqual(result.total, seeded, `page ${page} total`);
      const expected = Math.max(0, Math.min(perPage, seeded - (page - 1) * perPage));
      expectEqual(result.data.length, expected, `page ${page} length`);
      pages.push(...result.data);
    }
    expectEqual(new Set(ids(pages)).size, seeded, 'distinct ids over the pages');
    all = pages;
    return { total: seeded, perPage };
  });

  for (const field of ['createTime', 'email', 'id']) {
    for (const order of ['ASC', 'DESC']) {
      await check(provider, `getList.sort.${field}.${order}`, async () => {
        const result = await list({ page: 1, perPage: 50, field, order });
        expectRecords(result.data, 'list');
        expectEqual(result.total, seeded, 'total');
        expectEqual(result.data.length, seeded, 'length');
        // ids are UUIDv7 (time ordered): `id` sorts as createTime does.
        const key = field === 'id' ? 'createTime' : field;
        expectOrdered(result.data.map((record) => record[key]), order, `${key} values`);
        return { first: result.data[0][key] };
      });
    }
  }
  return all;
}

// ---- react-admin: ra-data-json-server and ra-data-simple-rest ----

// react-admin's documented way to authenticate fetchJson: `user.token` becomes Authorization.
function raHttpClient(url, opts = {}) {
  return fetchUtils.fetchJson(url, {
    ...opts,
    user: { authenticated: true, token: `Bearer ${config.token}` },
  });
}

async function checkReactAdmin(provider, dataProvider) {
  const { prefix, seeded } = config;
  const q = { q: prefix };

  const all = await checkPagingAndSorting(provider, ({ page, perPage, field, order }) =>
    dataProvider.getList('users', { pagination: { page, perPage }, sort: { field, order }, filter: q }));

  await check(provider, 'getList.filter.q', async () => {
    expect(all.length > 0, 'no seeded users listed by getList.pagination');
    const one = all[1].email;
    const exact = await dataProvider.getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'email', order: 'ASC' },
      filter: { q: one },
    });
    expectEqual(exact.total, 1, `total for q=${one}`);
    expectEqual(exact.data.map((record) => record.email), [one], 'emails');
    const none = await dataProvider.getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'email', order: 'ASC' },
      filter: { q: `${prefix}no-such-user` },
    });
    expectEqual(none.total, 0, 'total for a q matching nobody');
    expectEqual(none.data, [], 'data for a q matching nobody');
    return { q: one };
  });

  await check(provider, 'getList.filter.status', async () => {
    const disabled = await dataProvider.getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'email', order: 'ASC' },
      filter: { q: prefix, status: 'disabled' },
    });
    expectEqual(disabled.total, 1, 'disabled total');
    expectEqual(disabled.data.map((record) => [record.email, record.status]),
      [[config.disabled, 'disabled']], 'disabled users');
    const active = await dataProvider.getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'email', order: 'ASC' },
      filter: { q: prefix, status: 'active' },
    });
    expectEqual(active.total, seeded - 1, 'active total');
    expect(active.data.every((record) => record.status === 'active'), 'a non-active user listed',
      active.data.map((record) => record.status));
    return { active: active.total, disabled: disabled.total };
  });

  await check(provider, 'getOne', async () => {
    const wanted = all[0];
    const { data } = await dataProvider.getOne('users', { id: wanted.id });
    expectEqual([data.id, data.email], [wanted.id, wanted.email], 'record');
    return { id: data.id };
  });

  await check(provider, 'getMany', async () => {
    const wanted = [all[0].id, all[2].id];
    const { data } = await dataProvider.getMany('users', { ids: wanted });
    expectRecords(data, 'getMany');
    expectEqual(ids(data).sort(), [...wanted].sort(), 'ids');
    return { ids: wanted };
  });

  // getManyReference on a target the users list filters by (a <ReferenceManyField
  // reference="users" target="status">): the provider adds the target to the filters.
  await check(provider, 'getManyReference', async () => {
    const result = await dataProvider.getManyReference('users', {
      target: 'status',
      id: 'disabled',
      pagination: { page: 1, perPage: 25 },
      sort: { field: 'email', order: 'ASC' },
      filter: { q: prefix },
    });
    expectRecords(result.data, 'users');
    expectEqual(result.total, 1, 'total');
    expectEqual(result.data.map((record) => record.email), [config.disabled], 'emails');
    return { total: result.total };
  });

  // A user's role grants are the nested list /users/{id}/roles: read as a list of that resource.
  await check(provider, 'getList.userRoles', async () => {
    const result = await dataProvider.getList(`users/${config.adminId}/roles`, {
      pagination: { page: 1, perPage: 25 },
      sort: { field: 'name', order: 'ASC' },
      filter: {},
    });
    expectRecords(result.data, 'grants');
    expect(result.data.some((grant) => grant.name === 'admin' && grant.userId === config.adminId),
      'the admin grant is missing', result.data);
    expectEqual(result.total, result.data.length, 'total');
    return { total: result.total };
  });

  // ... and as a reference list with the user as target, as <ReferenceManyField
  // reference="users/{id}/roles" target="userId"> asks (the target repeats the path's user).
  await check(provider, 'getManyReference.userRoles', async () => {
    const result = await dataProvider.getManyReference(`users/${config.adminId}/roles`, {
      target: 'userId',
      id: config.adminId,
      pagination: { page: 1, perPage: 25 },
      sort: { field: 'name', order: 'ASC' },
      filter: {},
    });
    expectRecords(result.data, 'grants');
    expect(result.data.some((grant) => grant.name === 'admin' && grant.userId === config.adminId),
      'the admin grant is missing', result.data);
    expectEqual(result.total, result.data.length, 'total');
    return { total: result.total };
  });

  const stamp = `${provider.replace(/[^a-z]/g, '')}-${process.pid}`;
  const newEmail = (n) => `dpcreated-${stamp}-${n}@example.com`;
  let created;

  await check(provider, 'create', async () => {
    const { data } = await dataProvider.create('users', {
      data: { email: newEmail(1), displayName: 'Created By Provider' },
    });
    expect(typeof data.id === 'string' && data.id !== '', 'no id', data);
    expectEqual([data.email, data.displayName, data.status], [newEmail(1), 'Created By Provider',
      'active'], 'record');
    expect(typeof data.createTime === 'string', 'not the full record (no createTime)', data);
    created = data;
    return { id: data.id };
  });

  await check(provider, 'update', async () => {
    expect(created, 'nothing created');
    // An edit form sends the whole record back, output-only members included.
    const { data: before } = await dataProvider.getOne('users', { id: created.id });
    const { data } = await dataProvider.update('users', {
      id: created.id,
      data: { ...before, displayName: 'Renamed By Provider' },
      previousData: before,
    });
    expectEqual([data.id, data.email, data.displayName], [created.id, created.email,
      'Renamed By Provider'], 'record');
    return { id: data.id };
  });

  await check(provider, 'delete', async () => {
    expect(created, 'nothing created');
    const { data } = await dataProvider.delete('users', { id: created.id, previousData: created });
    expectEqual([data.id, data.email, data.status], [created.id, created.email, 'deleted'],
      'the deleted record');
    return { id: data.id };
  });

  // Bulk actions: both providers send one request per id (PUT / DELETE /users/{id}).
  const bulk = [];
  for (const n of [2, 3]) {
    const { data } = await dataProvider
      .create('users', { data: { email: newEmail(n), displayName: `Bulk ${n}` } })
      .catch((error) => ({ data: { error: describe(error) } }));
    bulk.push(data);
  }

  // A bulk update as <BulkUpdateButton data={...}> sends it: the changed members only, with PUT
  // (one request per id). The BFF's PUT updates the members sent, as PATCH does.
  await check(provider, 'updateMany.partialPut', async () => {
    expectRecords(bulk, 'users created for the bulk checks');
    const { data } = await dataProvider.updateMany('users', {
      ids: ids(bulk),
      data: { displayName: 'Bulk Renamed' },
    });
    expectEqual([...data].sort(), ids(bulk).sort(), 'ids answered');
    for (const id of ids(bulk)) {
      const { data: user } = await dataProvider.getOne('users', { id });
      expectEqual([user.displayName, user.email], ['Bulk Renamed',
        bulk.find((record) => record.id === id).email], `displayName and email of ${id}`);
    }
    return { ids: ids(bulk) };
  });

  await check(provider, 'deleteMany', async () => {
    expectRecords(bulk, 'users created for the bulk checks');
    const { data } = await dataProvider.deleteMany('users', { ids: ids(bulk) });
    expectEqual([...data].sort(), ids(bulk).sort(), 'ids answered');
    for (const id of ids(bulk)) {
      const { data: user } = await dataProvider.getOne('users', { id });
      expectEqual(user.status, 'deleted', `status of ${id}`);
    }
    return { ids: ids(bulk) };
  });

  // A validation error: the provider rejects with an HttpError whose body is the problem.
  let invalid;
  await check(provider, 'error.create.invalidEmail', async () => {
    const error = await rejection(
      dataProvider.create('users', { data: { email: 'not an email' } }),
      'create with an invalid email',
    );
    expectEqual(error?.status, 400, 'HttpError status');
    expectProblem(error?.body, 400, '/api/users');
    invalid = error;
    return { status: error.status, errors: error.body.errors };
  });

  // react-admin puts `body.errors` into the form by path (setSubmissionErrors): `email` shows
  // beside the email field.
  await check(provider, 'error.fieldPath', async () => {
    expect(invalid, 'no error from error.create.invalidEmail');
    const errors = invalid.body.errors;
    expect(typeof errors.email === 'string' && errors['user.email'] === undefined,
      'errors should name email (the form field), not user.email', errors);
    return { errors };
  });

  // fetchJson makes the HttpError's message (react-admin's notification) from `body.message`.
  await check(provider, 'error.message', async () => {
    expect(invalid, 'no error from error.create.invalidEmail');
    expectEqual([invalid.message, invalid.body.message], [invalid.body.detail,
      invalid.body.detail], 'HttpError message and body.message');
    expect(/email/.test(invalid.message), 'the message should say what is wrong', invalid.message);
    return { message: invalid.message };
  });

  return all;
}

// ---- refine: @refinedev/simple-rest ----

async function checkRefine(provider) {
  const { prefix, seeded } = config;
  // refine's documented way: the provider's own axios instance, with the header added.
  refineAxios.interceptors.request.use((request) => {
    request.headers.Authorization = `Bearer ${config.token}`;
    return request;
  });
  const dataProvider = refineSimpleRest(config.url, refineAxios);
  const q = [{ field: 'q', operator: 'eq', value: prefix }];

  const all = await checkPagingAndSorting(provider, ({ page, perPage, field, order }) =>
    dataProvider.getList({
      resource: 'users',
      pagination: { currentPage: page, pageSize: perPage },
      sorters: [{ field, order: order.toLowerCase() }],
      filters: q,
    }));

  await check(provider, 'getList.filter.q', async () => {
    expect(all.length > 0, 'no seeded users listed by getList.pagination');
    const one = all[1].email;
    const exact = await dataProvider.getList({
      resource: 'users',
      pagination: { currentPage: 1, pageSize: 10 },
      filters: [{ field: 'q', operator: 'eq', value: one }],
    });
    expectEqual(exact.total, 1, `total for q=${one}`);
    expectEqual(exact.data.map((record) => record.email), [one], 'emails');
    return { q: one };
  });

  await check(provider, 'getList.filter.status', async () => {
    const disabled = await dataProvider.getList({
      resource: 'users',
      pagination: { currentPage: 1, pageSize: 10 },
      filters: [...q, { field: 'status', operator: 'eq', value: 'disabled' }],
    });
    expectEqual(disabled.total, 1, 'disabled total');
    expectEqual(disabled.data.map((record) => [record.email, record.status]),
      [[config.disabled, 'disabled']], 'disabled users');
    return { disabled: disabled.total };
  });

  // refine's createTime range filter (field_gte / field_lte): all seeded users are from today.
  await check(provider, 'getList.filter.createTimeRange', async () => {
    const times = all.map((record) => record.createTime).sort();
    const result = await dataProvider.getList({
      resource: 'users',
      pagination: { currentPage: 1, pageSize: 50 },
      filters: [...q, { field: 'createTime', operator: 'gte', value: times[1] },
        { field: 'createTime', operator: 'lte', value: times[times.length - 2] }],
    });
    expectEqual(result.total, seeded - 2, 'total between the second and the second-last');
    return { total: result.total };
  });

  await check(provider, 'getList.userRoles', async () => {
    const result = await dataProvider.getList({
      resource: `users/${config.adminId}/roles`,
      pagination: { currentPage: 1, pageSize: 25 },
      sorters: [{ field: 'name', order: 'asc' }],
    });
    expectRecords(result.data, 'grants');
    expect(result.data.some((grant) => grant.name === 'admin' && grant.userId === config.adminId),
      'the admin grant is missing', result.data);
    expectEqual(result.total, result.data.length, 'total');
    return { total: result.total };
  });

  await check(provider, 'getOne', async () => {
    const wanted = all[0];
    const { data } = await dataProvider.getOne({ resource: 'users', id: wanted.id });
    expectEqual([data.id, data.email], [wanted.id, wanted.email], 'record');
    return { id: data.id };
  });

  await check(provider, 'getMany', async () => {
    const wanted = [all[0].id, all[2].id];
    const { data } = await dataProvider.getMany({ resource: 'users', ids: wanted });
    expectRecords(data, 'getMany');
    expectEqual(ids(data).sort(), [...wanted].sort(), 'ids');
    return { ids: wanted };
  });

  const stamp = `refine-${process.pid}`;
  const newEmail = (n) => `dpcreated-${stamp}-${n}@example.com`;
  let created;

  await check(provider, 'create', async () => {
    const { data } = await dataProvider.create({
      resource: 'users',
      variables: { email: newEmail(1), displayName: 'Created By Refine' },
    });
    expect(typeof data.id === 'string' && data.id !== '', 'no id', data);
    expectEqual([data.email, data.displayName, data.status], [newEmail(1), 'Created By Refine',
      'active'], 'record');
    expect(typeof data.createTime === 'string', 'not the full record (no createTime)', data);
    created = data;
    return { id: data.id };
  });

  // refine's edit form sends the form's fields with PATCH.
  await check(provider, 'update', async () => {
    expect(created, 'nothing created');
    const { data } = await dataProvider.update({
      resource: 'users',
      id: created.id,
      variables: { displayName: 'Renamed By Refine' },
    });
    expectEqual([data.id, data.email, data.displayName], [created.id, created.email,
      'Renamed By Refine'], 'record');
    return { id: data.id };
  });

  await check(provider, 'deleteOne', async () => {
    expect(created, 'nothing created');
    const { data } = await dataProvider.deleteOne({ resource: 'users', id: created.id });
    expectEqual([data.id, data.email, data.status], [created.id, created.email, 'deleted'],
      'the deleted record');
    return { id: data.id };
  });

  // @refinedev/simple-rest has no updateMany / deleteMany: @refinedev/core then calls update /
  // deleteOne once per id, which this does the same way.
  const bulk = [];
  for (const n of [2, 3]) {
    const { data } = await dataProvider
      .create({ resource: 'users', variables: { email: newEmail(n) } })
      .catch((error) => ({ data: { error: describe(error) } }));
    bulk.push(data);
  }

  await check(provider, 'updateMany', async () => {
    expectRecords(bulk, 'users created for the bulk checks');
    const answers = await Promise.all(ids(bulk).map((id) => dataProvider.update({
      resource: 'users', id, variables: { displayName: 'Bulk Renamed' },
    })));
    expectEqual(answers.map(({ data }) => [data.id, data.displayName]),
      ids(bulk).map((id) => [id, 'Bulk Renamed']), 'records');
    return { ids: ids(bulk) };
  });

  await check(provider, 'deleteMany', async () => {
    expectRecords(bulk, 'users created for the bulk checks');
    const answers = await Promise.all(ids(bulk).map((id) => dataProvider.deleteOne({
      resource: 'users', id,
    })));
    expectEqual(answers.map(({ data }) => [data.id, data.status]),
      ids(bulk).map((id) => [id, 'deleted']), 'records');
    return { ids: ids(bulk) };
  });

  // The simple-rest interceptor rejects with {statusCode, message, response}; the problem is
  // response.data.
  let invalid;
  await check(provider, 'error.create.invalidEmail', async () => {
    const error = await rejection(
      dataProvider.create({ resource: 'users', variables: { email: 'not an email' } }),
      'create with an invalid email',
    );
    expectEqual(error?.statusCode, 400, 'statusCode');
    expectProblem(error?.response?.data, 400, '/api/users');
    invalid = error;
    return { status: error.statusCode, errors: error.response.data.errors };
  });

  // The interceptor copies `response.data.message` into the error's message (refine's
  // notification).
  await check(provider, 'error.message', async () => {
    expect(invalid, 'no error from error.create.invalidEmail');
    expectEqual([invalid.message, invalid.response.data.message], [invalid.response.data.detail,
      invalid.response.data.detail], 'error message and body message');
    return { message: invalid.message };
  });

  return all;
}

const lists = [];
lists.push(await checkReactAdmin('ra-data-json-server', jsonServerProvider(config.url,
  raHttpClient)));
lists.push(await checkReactAdmin('ra-data-simple-rest', simpleRestProvider(config.url,
  raHttpClient)));
lists.push(await checkRefine('@refinedev/simple-rest'));

// All three providers must have seen the same seeded users in the same createTime order.
await check('all', 'sameRecords', async () => {
  const orders = lists.map((list) => ids(list).join(','));
  expect(orders[0] !== '' && orders.every((order) => order === orders[0]),
    'the providers listed different users', orders);
  return { emails: lists[0].map((record) => record.email) };
});

console.log(JSON.stringify({ summary: true, passed: passes, failed: failures }));
process.exitCode = failures === 0 ? 0 : 1;
