#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Acceptance tests of --record, decode and replay (docs/capture.md), TAP.

  capture_test.py scenarios SIM SCENARIO_DIR
      every bundled script recorded, then replayed with no divergence
  capture_test.py golden SIM SCRIPT STORED GOLDEN
      decode of the stored capture STORED (a lockstep capture of SCRIPT)
      equals GOLDEN; a fresh one decodes alike (offsets and times aside);
      --json parses line by line; --cmd filters
  capture_test.py venus SIM VENUS_DIR GOLDEN [SKIPS VERSION]
      every bundled venus script's streams decode to the end, every
      command named; fill.vgs's commands equal GOLDEN; an unknown command
      id, an unknown pNext struct and a cut stream stop with
      "undecodable from offset N"; --json carries them
  capture_test.py resource SIM STORED BLOB_SCANOUT_SCRIPT HOST3D_MAP_SCRIPT
      decode --resource=N keeps the records tied to N: its requests, their
      responses, virgl streams carrying its handle, its backing's guest
      memory, its mapped window, its checksums; nothing of another
  capture_test.py repeat SIM SCRIPT N
      one capture of SCRIPT replayed N times, freed heap memory filled
      (MALLOC_PERTURB_): a renderer slower than the recording's must not
      change the outcome (venus fence polls, vmm/replay_poll.c)
  capture_test.py divergence SIM SCRIPT
      one byte of a response edited: replay fails naming that record
  capture_test.py corrupt SIM SCRIPT
      truncated and corrupt captures are refused with their offset
  capture_test.py trace EXEC SIM PROGRAM SCRIPT
      the --trace JSON of a real-driver run parses and has ioctl spans,
      command flows, renderer spans and fence events; a scanout script's
      has flush instants
  capture_test.py realdriver EXEC PROGRAM [EXEC OPTIONS...]
      a real-driver GL program recorded through exec replays with the
      same responses, fences and checksums
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HDR = 16        # file header and record header sizes (sim/capture.h)
RESPONSE, CHECKSUM, END = 5, 10, 11
tap = []


def ok(cond, what, diag=''):
    tap.append((bool(cond), what, diag))


def skip(what, why):
    """A TAP skip: the test cannot run on this row, for @why."""
    tap.append((True, what + ' # SKIP ' + why, ''))


def row_skips(path, version):
    """The scripts tests/expectations/virglrenderer-1-skips.txt names
    (meson's row_skips): 'NAME: why' lines, # comments."""
    skips = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line and not line.startswith('#') and ': ' in line:
                name, why = line.split(': ', 1)
                skips[name] = 'virglrenderer %s: %s' % (version, why)
    return skips


def finish():
    print('TAP version 13')
    print('1..%d' % len(tap))
    for i, (good, what, diag) in enumerate(tap, 1):
        # A description is one TAP line: replay's summary may have two.
        what = ' / '.join(what.split('\n'))
        print('%s %d - %s' % ('ok' if good else 'not ok', i, what))
        if not good and diag:
            for line in diag.strip().splitlines()[-20:]:
                print('# ' + line)
    sys.exit(0 if all(g for g, _, _ in tap) else 1)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def records(data):
    """(offset, type, payload) of every record; the file is trusted here."""
    off = HDR
    while off < len(data):
        typ, length = struct.unpack_from('<II', data, off)
        yield off, typ, data[off + HDR:off + HDR + length]
        off += HDR + length


def record(sim, script, path, extra=()):
    r = run([sim, 'run', '--no-summary', '--record=' + path, *extra, script])
    return r.returncode == 0, r.stdout + r.stderr


def scenarios(sim, root, skips_file=None, version=None):
    skips = row_skips(skips_file, version) if skips_file else {}
    scripts = sorted(os.path.join(d, f) for d, _, fs in os.walk(root)
                     for f in fs if f.endswith('.vgs'))
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        for s in scripts:
            name = os.path.relpath(s, root)
            # 'capture:NAME' lines skip a script here only.
            why = skips.get(name) or skips.get('capture:' + name)
            if why:
                skip(name + ' recorded and replayed', why)
                continue
            good, out = record(sim, s, cap)
            if not good:
                ok(False, name + ' recorded', out)
                continue
            r = run([sim, 'replay', cap])
            ok(r.returncode == 0 and r.stdout.startswith('replay: '),
               '%s replayed (%s, %d KiB)' % (name, r.stdout.strip(),
                                            os.path.getsize(cap) // 1024),
               r.stdout + r.stderr)


def repeat(sim, script, times):
    """The same capture replayed again and again: every replay agrees."""
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        good, out = record(sim, script, cap)
        ok(good, os.path.basename(script) + ' recorded', out)
        if not good:
            return
        bad, repeated = [], 0
        for i in range(times):
            env = dict(os.environ, MALLOC_PERTURB_=str(i % 254 + 1))
            r = run([sim, 'replay', cap], env=env)
            if r.returncode != 0 or not r.stdout.startswith('replay: '):
                bad.append('replay %d: status %d\n%s%s' % (
                    i, r.returncode, r.stdout, r.stderr))
            repeated += 'polls repeated' in r.stdout
        ok(not bad, '%s replayed %d times as recorded (%d with fence polls '
           'repeated)' % (os.path.basename(script), times, repeated),
           '\n'.join(bad[:3]))


def strip_volatile(line):
    return re.sub(r'^offset=\d+ time_ns=\d+ ', '', line)


def golden(sim, script, stored, gold):
    """decode of a stored capture equals the golden text; a fresh lockstep
    capture of the same script decodes to the same commands."""
    r = run([sim, 'decode', stored])
    got = r.stdout.splitlines()
    with open(gold) as f:
        want = f.read().splitlines()
    diff = '\n'.join('want: %s\ngot:  %s' % (w, g)
                     for w, g in zip(want + [''] * len(got),
                                     got + [''] * len(want))
                     if w != g)
    ok(r.returncode == 0 and got == want,
       'decode %s equals %s' % (os.path.basename(stored),
                                os.path.basename(gold)), diff + r.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        good, out = record(sim, script, cap, ['--lockstep'])
        ok(good, 'lockstep capture of ' + os.path.basename(script), out)
        fresh = run([sim, 'decode', '--ctx=1', cap]).stdout.splitlines()
        old = run([sim, 'decode', '--ctx=1', stored]).stdout.splitlines()
        ok([strip_volatile(l) for l in fresh] ==
           [strip_volatile(l) for l in old],
           'a fresh lockstep capture has the same context-1 records',
           '\n'.join(fresh))
        r = run([sim, 'decode', '--json', cap])
        try:
            objs = [json.loads(l) for l in r.stdout.splitlines()]
        except ValueError as e:
            objs = []
            r.stderr += str(e)
        chains = [o for o in objs if o.get('record') == 'CHAIN']
        streams = [c['stream'] for c in chains if 'stream' in c]
        ok(r.returncode == 0 and chains and objs[-1]['record'] == 'END' and
           any(s.get('virgl') == 'CLEAR' for st in streams for s in st),
           'decode --json: one object a line, virgl commands named',
           r.stderr)
        r = run([sim, 'decode', '--cmd=SUBMIT_3D', cap])
        lines = r.stdout.splitlines()
        heads = [l for l in lines if not l.startswith(' ')]
        ok(r.returncode == 0 and heads and
           all('SUBMIT_3D' in l or 'record=RESPONSE' in l for l in heads),
           'decode --cmd=SUBMIT_3D keeps submits and their responses',
           r.stdout)


CHAIN, SUBMIT_3D = 4, 0x207


def venus_streams(sim, cap):
    """The venus command lines of each SUBMIT_3D chain, a list a chain,
    consecutive identical chains once (fence polls repeat as the renderer
    takes its time)."""
    r = run([sim, 'decode', cap])
    chains = []
    for line in r.stdout.splitlines():
        if line.startswith('offset='):
            chains.append([])
        elif line.startswith('    ') and chains:
            chains[-1].append(line.strip())
    out = []
    for c in chains:
        if c and (not out or out[-1] != c):
            out.append(c)
    return r, out


def patch_stream(data, find, edit):
    """A copy of capture @data whose first SUBMIT_3D stream starting with
    the u32s @find is changed by @edit(stream bytearray, chain data,
    offset of the stream in data)."""
    data = bytearray(data)
    for off, typ, p in records(data):
        if typ != CHAIN:
            continue
        out_num, in_num = struct.unpack_from('<HH', p, 8)
        start = off + HDR + 16 + 4 * (out_num + in_num)
        if struct.unpack_from('<I', data, start)[0] != SUBMIT_3D:
            continue
        st = start + 32
        if list(struct.unpack_from('<%dI' % len(find), data, st)) == find:
            edit(data, start, st)
            return bytes(data)
    return None


def venus_edits(sim, cap, tmp):
    """Streams the walker cannot size: each stops at its offset."""
    data = open(cap, 'rb').read()
    seek, create_buffer = 179, 50
    def unknown_id(d, chain, st):
        struct.pack_into('<I', d, st + 16, 0x7fff0000)
    def unknown_pnext(d, chain, st):
        # vkCreateBuffer at 16: header 8, device 8, pCreateInfo 8, sType 4:
        # the pNext presence at 44, then an sType no registry has.
        struct.pack_into('<QI', d, st + 44, 1, 0x7ffffff0)
    def cut(d, chain, st):
        struct.pack_into('<I', d, chain + 24, 16 + 40)
    cases = [
        (unknown_id, 'undecodable from offset 16: command type 2147418112 '
         'is not in the table'),
        (unknown_pnext, 'undecodable from offset 52: pNext struct of sType '
         '2147483632 is not in the schema'),
        (cut, 'undecodable from offset 56: size needs 8 bytes, the '
         'stream has 0'),
    ]
    for edit, want in cases:
        bad = patch_stream(data, [seek, 0, 0, 0, create_buffer], edit)
        path = os.path.join(tmp, 'edited.vgscap')
        open(path, 'wb').write(bad or b'')
        r = run([sim, 'decode', path])
        ok(bad and r.returncode == 0 and want in r.stdout,
           'decode stops with "%s"' % want, r.stdout[-2000:] + r.stderr)
        r = run([sim, 'decode', '--json', path])
        objs = [json.loads(l) for l in r.stdout.splitlines()]
        subs = [s for o in objs for s in o.get('stream', [])
                if 'undecodable' in s]
        ok(len(subs) == 1 and want.split(': ', 1)[1] in subs[0]['reason'],
           'decode --json: {"undecodable": offset, "reason": ...}',
           repr(subs))


def venus_transport(sim, cap, tmp):
    """The VK_MESA_venus_protocol ring commands Mesa's venus driver sends
    in SUBMIT_3D (their parameters are declared by vmm/gen_venus_schema.py,
    not vk.xml), with a VkRingMonitorInfoMESA in a pNext chain, written
    over a recorded 312-byte stream."""
    # The header, ring 7, pCreateInfo present, its sType, a pNext: present,
    # the monitor's sType, its own pNext NULL, maxReportingPeriod 5000;
    # then flags 0, resourceId 2 and the ten u64 and size_t fields.
    ring = (struct.pack('<IIQQI', 188, 0, 7, 1, 1000384000) +
            struct.pack('<QIQI', 1, 1000384006, 0, 5000) +
            struct.pack('<II', 0, 2) + struct.pack('<10Q', *range(10)))
    stream = (ring +
              struct.pack('<IIQII', 190, 0, 7, 3, 0) +        # notify
              struct.pack('<IIQQI', 191, 0, 7, 16, 9) +       # extra
              struct.pack('<IIQQ', 251, 0, 7, 11) +           # seqno
              struct.pack('<IIQQ', 253, 1, 7, 11))            # wait
    def put(d, chain, st):
        d[st:st + len(stream)] = stream
        struct.pack_into('<I', d, chain + 24, len(stream))
    data = open(cap, 'rb').read()
    edited = patch_stream(data, [118, 0], put)
    path = os.path.join(tmp, 'ring.vgscap')
    open(path, 'wb').write(edited or b'')
    r, streams = venus_streams(sim, path)
    want = ['venus=vkCreateRingMESA flags=0x0 ring=7',
            'venus=vkNotifyRingMESA flags=0x0 ring=7 seqno=3 flags=0',
            'venus=vkWriteRingExtraMESA flags=0x0 ring=7 offset=16 value=9',
            'venus=vkSubmitVirtqueueSeqnoMESA flags=0x0 ring=7 seqno=11',
            'venus=vkWaitRingSeqnoMESA flags=0x1 ring=7 seqno=11']
    ok(edited and want in streams,
       'the ring commands of VK_MESA_venus_protocol decode to the end',
       '\n'.join(l for c in streams for l in c if 'Ring' in l or
                 'undecodable' in l or 'Seqno' in l))


def venus(sim, root, gold, skips_file=None, version=None):
    skips = row_skips(skips_file, version) if skips_file else {}
    scripts = sorted(f for f in os.listdir(root) if f.endswith('.vgs'))
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        for name in scripts:
            if 'venus/' + name in skips:
                skip(name + ' streams decoded', skips['venus/' + name])
                continue
            good, out = record(sim, os.path.join(root, name), cap)
            r, streams = venus_streams(sim, cap)
            lines = [l for c in streams for l in c]
            bad = [l for l in lines if 'undecodable' in l or
                   l.startswith('venus=vkCommand')]
            if name == 'malformed_stream.vgs':   # its junk stream
                want = ['undecodable from offset 0: command type '
                        '2147418112 is not in the table '
                        '(guest/venus/venus_cmd_ids.def)']
            else:
                want = []
            ok(good and r.returncode == 0 and bad == want,
               '%s: every venus command named (%d)' % (name, len(lines)),
               out + '\n'.join(bad))
            if name != 'fill.vgs':
                continue
            with open(gold) as f:
                golden_lines = f.read().splitlines()
            ok(lines == golden_lines, 'fill.vgs decodes as ' +
               os.path.basename(gold), '\n'.join(
                   'want: %s\ngot:  %s' % (w, g) for w, g in
                   zip(golden_lines, lines) if w != g)[:3000])
            venus_edits(sim, cap, tmp)
            venus_transport(sim, cap, tmp)
            # The reply stream's resource (1 in fill.vgs) in a resourceId.
            kept1 = run([sim, 'decode', '--resource=1', cap]).stdout
            kept2 = run([sim, 'decode', '--resource=2', cap]).stdout
            ok('vkSetReplyCommandStreamMESA' in kept1 and
               'vkSetReplyCommandStreamMESA' not in kept2,
               '--resource=1 keeps the submit setting it as reply stream')


def kept(sim, cap, res):
    """The (record, key fields) lines decode --resource keeps."""
    r = run([sim, 'decode', '--resource=%d' % res, cap])
    return r, [strip_volatile(l) for l in r.stdout.splitlines()
               if l.startswith('offset=')]


def resource(sim, stored, scanout_script, map_script):
    # A virgl stream naming resource 1 (CREATE_OBJECT SURFACE), its
    # fenced response and the read-back checksum.
    r, lines = kept(sim, stored, 1)
    submit = [l for l in lines if 'hdr.type=SUBMIT_3D' in l]
    ok(r.returncode == 0 and submit and
       any(l.startswith('record=RESPONSE seq=6 ') and 'retired=global' in l
           for l in lines) and
       any('kind=readback resource_id=1' in l for l in lines) and
       not any('record=INFO' in l or 'record=CAPSET' in l for l in lines),
       '--resource=1: the SUBMIT_3D whose stream names it, its fence '
       'retirement, its read-back checksum', r.stdout + r.stderr)
    r, lines = kept(sim, stored, 2)
    ok(r.returncode == 0 and lines == [],
       '--resource=2: nothing of resource 1', r.stdout)
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        good, out = record(sim, scanout_script, cap)
        r, lines = kept(sim, cap, 1)
        ok(good and any('record=GUEST_MEM gpa=0x5000' in l for l in lines)
           and any('kind=scanout scanout_id=0' in l for l in lines) and
           any('hdr.type=CTX_ATTACH_RESOURCE' in l for l in lines),
           '--resource=1 of %s: its guest blob pages, the scanout '
           'showing it, its attachment' % os.path.basename(scanout_script),
           out + r.stdout + r.stderr)
        r, lines = kept(sim, cap, 7)
        ok(not any('GUEST_MEM' in l or 'CHECKSUM' in l for l in lines),
           '--resource=7: none of them', r.stdout)
        good, out = record(sim, map_script, cap)
        windows = {}
        for res in (1, 2, 3, 4):
            r, lines = kept(sim, cap, res)
            windows[res] = [l.split()[1] for l in lines
                            if l.startswith('record=HOST_MEM')]
        ok(good and windows == {1: ['offset=0x0'], 2: ['offset=0x1000'],
                                3: ['offset=0x2000'], 4: []},
           '--resource=N of %s: the host-visible window each is mapped at'
           % os.path.basename(map_script), repr(windows) + out)


def divergence(sim, script):
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        good, out = record(sim, script, cap)
        ok(good, 'capture of ' + os.path.basename(script), out)
        data = bytearray(open(cap, 'rb').read())
        resp = [(o, p) for o, t, p in records(data) if t == RESPONSE]
        off, payload = resp[len(resp) // 2]
        # The response's hdr.type: byte 32 of the payload, after the
        # RESPONSE record's fixed part.
        data[off + HDR + 32] ^= 0x01
        edited = os.path.join(tmp, 'edited.vgscap')
        open(edited, 'wb').write(data)
        r = run([sim, 'replay', edited])
        want = 'record at offset %d (RESPONSE)' % off
        ok(r.returncode == 1 and want in r.stderr and
           "field 'hdr.type'" in r.stderr,
           'one edited response byte is reported at its record', r.stderr)
        r = run([sim, 'replay', cap])
        ok(r.returncode == 0, 'the unedited capture replays', r.stderr)


def corrupt(sim, script):
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'c.vgscap')
        good, out = record(sim, script, cap)
        ok(good, 'capture of ' + os.path.basename(script), out)
        data = open(cap, 'rb').read()
        recs = list(records(data))
        mid_off, mid_type, mid_payload = recs[len(recs) // 2]
        cases = [
            ('truncated inside a record', data[:mid_off + HDR + 3],
             'offset %d: record ' % mid_off),
            ('truncated at a record boundary', data[:mid_off],
             'offset %d: the capture ends without an END record' % mid_off),
            ('bad magic', b'XXXXXXXX' + data[8:], 'offset 0'),
            ('newer format version', data[:8] + b'\x09' + data[9:],
             'offset 8'),
            ('length past the end',
             data[:mid_off + 4] + struct.pack('<I', 0x7fffff) +
             data[mid_off + 8:], 'offset %d: record ' % mid_off),
        ]
        for what, bad, want in cases:
            path = os.path.join(tmp, 'bad.vgscap')
            open(path, 'wb').write(bad)
            for cmd in ('decode', 'replay'):
                r = run([sim, cmd, path])
                ok(r.returncode == 1 and want in r.stderr,
                   '%s: %s refused naming "%s"' % (cmd, what, want),
                   r.stderr)
        # What a process that died left: every record up to a boundary.
        path = os.path.join(tmp, 'partial.vgscap')
        open(path, 'wb').write(data[:mid_off])
        r = run([sim, 'replay', '--partial', path])
        ok(r.returncode == 0 and 'without an END record' in r.stderr and
           r.stdout.startswith('replay: '),
           'replay --partial takes a capture cut at a record boundary',
           r.stdout + r.stderr)
        # An unknown record type in the middle is skipped by both.
        unknown = struct.pack('<IIQ', 999, 4, 0) + b'abcd'
        end_off = recs[-1][0]
        count = struct.unpack_from('<Q', data, end_off + HDR)[0]
        skipped = (data[:end_off] + unknown + data[end_off:end_off + HDR] +
                   struct.pack('<Q', count + 1))
        path = os.path.join(tmp, 'unknown.vgscap')
        open(path, 'wb').write(skipped)
        r = run([sim, 'replay', path])
        d = run([sim, 'decode', path])
        ok(r.returncode == 0 and d.returncode == 0 and
           'record=unknown type=999' in d.stdout,
           'a record of an unknown type is skipped', r.stderr + d.stderr)


def realdriver(exe, sim, program, extra):
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, 'gl.vgscap')
        r = run([exe, '--record=' + cap, *extra, '--', program,
                 '--platform=surfaceless'])
        ok(r.returncode == 0, 'GL program under exec --record', r.stdout + r.stderr)
        d = run([sim, 'decode', cap])
        sums = [l for l in d.stdout.splitlines() if 'record=CHECKSUM' in l]
        ok(d.returncode == 0 and sums and 'virgl=DRAW_VBO' in d.stdout,
           'the capture holds draws and read-back checksums (%d)' %
           len(sums), d.stderr)
        r = run([sim, 'replay', cap])
        m = re.match(r'replay: (\d+) chains, (\d+) responses, (\d+) fences, '
                     r'(\d+) checksums', r.stdout)
        ok(r.returncode == 0 and m and int(m.group(4)) == len(sums),
           'replayed with identical responses, fences and checksums (%s)'
           % r.stdout.strip(), r.stderr)


def load_trace(path, what):
    try:
        with open(path) as f:
            events = json.load(f)['traceEvents']
        ok(True, what + ': the trace is JSON with traceEvents')
        return events
    except (OSError, ValueError, KeyError) as e:
        ok(False, what + ': the trace is JSON with traceEvents', str(e))
        return []


def trace(exe, sim, program, script):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'gl.json')
        r = run([exe, '--trace=' + path, '--', program,
                 '--platform=surfaceless'])
        ok(r.returncode == 0, 'GL program under exec --trace',
           r.stdout + r.stderr)
        ev = load_trace(path, 'exec')
        ioctls = [e for e in ev if e.get('cat') == 'ioctl' and
                  e['ph'] == 'X']
        tids = {e['tid'] for e in ioctls}
        ok(any(e['name'] == 'VIRTGPU_EXECBUFFER' for e in ioctls) and
           all('nr' in e['args'] for e in ioctls),
           'ioctl spans with names and args (%d)' % len(ioctls))
        flows = {}
        for e in ev:
            if e.get('cat') == 'virtqueue' and e['ph'] in ('s', 't', 'f'):
                flows.setdefault(e['id'], []).append(e['ph'])
        whole = [i for i, p in flows.items() if p == ['s', 't', 'f']]
        device = [e for e in ev if e.get('cat') == 'device']
        ok(len(whole) >= len(device) - 2 and len(whole) > 10,
           'each command a flow: queued, taken, answered (%d of %d)'
           % (len(whole), len(device)))
        kicks = [e for e in ev if e['ph'] == 'i' and
                 e['name'].startswith('kick') and e['tid'] in tids]
        ok(kicks, 'kicks as instants on guest threads (%d)' % len(kicks))
        ok(any(e['name'] == 'virgl_renderer_submit_cmd' and
               e['tid'] not in tids for e in ev if e.get('cat') == 'renderer'),
           'renderer calls as spans on the device thread')
        fences = {}
        for e in ev:
            if e.get('cat') == 'fence':
                fences.setdefault((e['name'], e['id']), []).append(e['ph'])
        ok(fences and all(p == ['b', 'e'] for p in fences.values()),
           'fences begin and end on their timeline track (%d)' % len(fences))
        path = os.path.join(tmp, 'scanout.json')
        r = run([sim, 'run', '--no-summary', '--trace=' + path, script])
        ev = load_trace(path, os.path.basename(script))
        ok(r.returncode == 0 and
           any(e['ph'] == 'i' and e['name'].startswith('flush scanout')
               for e in ev), 'scanout flushes as instants', r.stdout)


def main():
    mode = sys.argv[1]
    if mode == 'scenarios':
        scenarios(*sys.argv[2:6])
    elif mode == 'golden':
        golden(*sys.argv[2:6])
    elif mode == 'venus':
        venus(*sys.argv[2:7])
    elif mode == 'resource':
        resource(*sys.argv[2:6])
    elif mode == 'repeat':
        repeat(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == 'divergence':
        divergence(*sys.argv[2:4])
    elif mode == 'corrupt':
        corrupt(*sys.argv[2:4])
    elif mode == 'trace':
        trace(*sys.argv[2:6])
    elif mode == 'realdriver':
        realdriver(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    finish()


if __name__ == '__main__':
    main()
