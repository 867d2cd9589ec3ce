// Chunked, resumable upload of a .sif over plain HTTP (see BrowserUploadEndpoints.cs). Progress goes to .NET via `dotnet`.
const base = 'browser-upload';
let cancelled = false, paused = false;

class HttpError extends Error {}

async function failure(res) {
    try { return new HttpError((await res.json()).message || res.statusText); } catch { return new HttpError(`${res.status} ${res.statusText}`); }
}

async function report(dotnet, ...args) {
    try { await dotnet.invokeMethodAsync('Progress', ...args); } catch { /* the circuit may be reconnecting too */ }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

export function cancel() { cancelled = true; }

// Stops sending but keeps what the server has: picking the same file again resumes (leaving the page does this).
export function pause() { paused = true; }

async function same(a, b) {
    const x = new Uint8Array(a), y = new Uint8Array(b);
    return x.length === y.length && x.every((v, i) => v === y[i]);
}

// The server found an unfinished upload of the same size to the same place: resume it only if the bytes it holds are
// this file's (at its start, middle and end), else start afresh.
async function matches(status, file, headers) {
    const len = Math.min(65536, status.received);
    for (const at of [0, Math.floor((status.received - len) / 2), status.received - len]) {
        const res = await fetch(`${base}/${status.id}/sample/${at}/${len}`, { headers });
        if (!res.ok || !await same(await res.arrayBuffer(), await file.slice(at, at + len).arrayBuffer())) return false;
    }
    return true;
}

async function start(file, meta, headers, fresh) {
    const res = await fetch(base, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ ...meta, size: file.size, fresh }) });
    if (!res.ok) throw await failure(res);
    return await res.json();
}

export async function upload(input, meta, token, dotnet) {
    const file = input.files[0];
    if (!file) throw new Error('choose a .sif file first');
    cancelled = false; paused = false;
    const headers = { 'RequestVerificationToken': token };
    let res, status = await start(file, meta, headers, false);
    if (status.resumed && status.received > 0) {
        if (await matches(status, file, headers)) await report(dotnet, status.received, file.size, 0, `resumed at ${Math.round(100 * status.received / file.size)}%`);
        else status = await start(file, meta, headers, true);
    }
    let windowStart = performance.now(), windowBytes = status.received, speed = 0, failures = 0;

    while (status.received < file.size) {
        if (paused) throw new Error('upload paused: pick the same file again to resume');
        if (cancelled) {
            await fetch(`${base}/${status.id}`, { method: 'DELETE', headers }).catch(() => {});
            throw new Error('upload cancelled');
        }
        const end = Math.min(file.size, status.received + status.chunkSize);
        try {
            res = await fetch(`${base}/${status.id}/${status.received}`, { method: 'PUT', headers, body: file.slice(status.received, end) });
            if (res.status === 409) {
                res = await fetch(`${base}/${status.id}`, { headers });
                if (!res.ok) throw await failure(res);
            } else if (!res.ok) throw await failure(res);
            status = await res.json();
            failures = 0;
        } catch (e) {
            if (e instanceof HttpError) throw e;
            // Network trouble: wait, ask the server how far it got, and carry on from there.
            failures++;
            if (failures > 40) throw new Error('the connection keeps failing; try again later');
            await report(dotnet, status.received, file.size, 0, `connection lost, retrying (${failures})…`);
            await sleep(Math.min(15000, 500 * 2 ** Math.min(failures, 5)));
            try {
                const s = await fetch(`${base}/${status.id}`, { headers });
                if (s.ok) status = await s.json();
                else if (s.status === 404) throw await failure(s);
            } catch (inner) { if (inner instanceof HttpError) throw inner; }
            continue;
        }
        const now = performance.now();
        if (now - windowStart >= 500) {
            speed = (status.received - windowBytes) * 1000 / (now - windowStart);
            windowStart = now;
            windowBytes = status.received;
            await report(dotnet, status.received, file.size, speed, null);
        }
    }
    await report(dotnet, file.size, file.size, speed, 'checking the file…');
    res = await fetch(`${base}/${status.id}/finish`, { method: 'POST', headers });
    if (!res.ok) throw await failure(res);
    return (await res.json()).containerUrl;
}
