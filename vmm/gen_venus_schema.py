#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the venus decoder's schema (vmm/venus_schema.h) at build time.

gen_venus_schema.py VK_XML CMD_IDS_DEF OUT.c

Reads the command ids from guest/venus/venus_cmd_ids.def (the one table of
them) and each command's parameters, and every struct they reach (through
members and through pNext: the structs whose structextends names a reached
struct), from the Vulkan registry vk.xml.  The two transport commands of
VK_MESA_venus_protocol are not in vk.xml: their parameters are declared
below (VENUS_EXTRA, as venus-protocol's own registry declares them).
"""
import re
import sys
import xml.etree.ElementTree as ET

VENUS_EXTRA = """<registry>
<enums name="VkStructureType">
 <enum value="1000384000" name="VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA"/>
 <enum value="1000384001" name="VK_STRUCTURE_TYPE_MEMORY_RESOURCE_PROPERTIES_MESA"/>
 <enum value="1000384002" name="VK_STRUCTURE_TYPE_IMPORT_MEMORY_RESOURCE_INFO_MESA"/>
 <enum value="1000384003" name="VK_STRUCTURE_TYPE_MEMORY_RESOURCE_ALLOCATION_SIZE_PROPERTIES_MESA"/>
 <enum value="1000384004" name="VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_RESOURCE_INFO_MESA"/>
 <enum value="1000384005" name="VK_STRUCTURE_TYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA"/>
 <enum value="1000384006" name="VK_STRUCTURE_TYPE_RING_MONITOR_INFO_MESA"/>
 <enum value="1000384007" name="VK_STRUCTURE_TYPE_RING_PRIORITY_INFO_MESA"/>
</enums>
<types>
<type category="struct" name="VkCommandStreamDescriptionMESA">
 <member><type>uint32_t</type> <name>resourceId</name></member>
 <member><type>size_t</type> <name>offset</name></member>
 <member><type>size_t</type> <name>size</name></member>
</type>
<type category="struct" name="VkCommandStreamDependencyMESA">
 <member><type>uint32_t</type> <name>srcCommandStream</name></member>
 <member><type>uint32_t</type> <name>dstCommandStream</name></member>
</type>
<type category="struct" name="VkRingCreateInfoMESA">
 <member values="VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member>const <type>void</type>* <name>pNext</name></member>
 <member><type>VkFlags</type> <name>flags</name></member>
 <member><type>uint32_t</type> <name>resourceId</name></member>
 <member><type>size_t</type> <name>offset</name></member>
 <member><type>size_t</type> <name>size</name></member>
 <member><type>uint64_t</type> <name>idleTimeout</name></member>
 <member><type>size_t</type> <name>headOffset</name></member>
 <member><type>size_t</type> <name>tailOffset</name></member>
 <member><type>size_t</type> <name>statusOffset</name></member>
 <member><type>size_t</type> <name>bufferOffset</name></member>
 <member><type>size_t</type> <name>bufferSize</name></member>
 <member><type>size_t</type> <name>extraOffset</name></member>
 <member><type>size_t</type> <name>extraSize</name></member>
</type>
<type category="struct" name="VkRingMonitorInfoMESA" structextends="VkRingCreateInfoMESA">
 <member values="VK_STRUCTURE_TYPE_RING_MONITOR_INFO_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member>const <type>void</type>* <name>pNext</name></member>
 <member><type>uint32_t</type> <name>maxReportingPeriodMicroseconds</name></member>
</type>
<type category="struct" name="VkRingPriorityInfoMESA" structextends="VkRingCreateInfoMESA">
 <member values="VK_STRUCTURE_TYPE_RING_PRIORITY_INFO_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member>const <type>void</type>* <name>pNext</name></member>
 <member><type>int32_t</type> <name>priority</name></member>
</type>
<type category="struct" name="VkMemoryResourcePropertiesMESA">
 <member values="VK_STRUCTURE_TYPE_MEMORY_RESOURCE_PROPERTIES_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member><type>void</type>* <name>pNext</name></member>
 <member><type>uint32_t</type> <name>memoryTypeBits</name></member>
</type>
<type category="struct" name="VkMemoryResourceAllocationSizePropertiesMESA" structextends="VkMemoryResourcePropertiesMESA">
 <member values="VK_STRUCTURE_TYPE_MEMORY_RESOURCE_ALLOCATION_SIZE_PROPERTIES_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member><type>void</type>* <name>pNext</name></member>
 <member><type>uint64_t</type> <name>allocationSize</name></member>
</type>
<type category="struct" name="VkImportMemoryResourceInfoMESA" structextends="VkMemoryAllocateInfo">
 <member values="VK_STRUCTURE_TYPE_IMPORT_MEMORY_RESOURCE_INFO_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member>const <type>void</type>* <name>pNext</name></member>
 <member><type>uint32_t</type> <name>resourceId</name></member>
</type>
<type category="struct" name="VkImportSemaphoreResourceInfoMESA">
 <member values="VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_RESOURCE_INFO_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member>const <type>void</type>* <name>pNext</name></member>
 <member><type>VkSemaphore</type> <name>semaphore</name></member>
 <member><type>uint32_t</type> <name>resourceId</name></member>
</type>
<type category="struct" name="VkDeviceQueueTimelineInfoMESA" structextends="VkDeviceQueueInfo2">
 <member values="VK_STRUCTURE_TYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA"><type>VkStructureType</type> <name>sType</name></member>
 <member>const <type>void</type>* <name>pNext</name></member>
 <member><type>uint32_t</type> <name>ringIdx</name></member>
</type>
</types><commands>
<command><proto><type>void</type> <name>vkSetReplyCommandStreamMESA</name></proto>
 <param>const <type>VkCommandStreamDescriptionMESA</type>* <name>pStream</name></param>
</command>
<command><proto><type>void</type> <name>vkSeekReplyCommandStreamMESA</name></proto>
 <param><type>size_t</type> <name>position</name></param>
</command>
<command><proto><type>void</type> <name>vkExecuteCommandStreamsMESA</name></proto>
 <param><type>uint32_t</type> <name>streamCount</name></param>
 <param len="streamCount">const <type>VkCommandStreamDescriptionMESA</type>* <name>pStreams</name></param>
 <param len="streamCount">const <type>size_t</type>* <name>pReplyPositions</name></param>
 <param><type>uint32_t</type> <name>dependencyCount</name></param>
 <param len="dependencyCount">const <type>VkCommandStreamDependencyMESA</type>* <name>pDependencies</name></param>
 <param><type>VkFlags</type> <name>flags</name></param>
</command>
<command><proto><type>void</type> <name>vkCreateRingMESA</name></proto>
 <param><type>uint64_t</type> <name>ring</name></param>
 <param>const <type>VkRingCreateInfoMESA</type>* <name>pCreateInfo</name></param>
</command>
<command><proto><type>void</type> <name>vkDestroyRingMESA</name></proto>
 <param><type>uint64_t</type> <name>ring</name></param>
</command>
<command><proto><type>void</type> <name>vkNotifyRingMESA</name></proto>
 <param><type>uint64_t</type> <name>ring</name></param>
 <param><type>uint32_t</type> <name>seqno</name></param>
 <param><type>VkFlags</type> <name>flags</name></param>
</command>
<command><proto><type>void</type> <name>vkWriteRingExtraMESA</name></proto>
 <param><type>uint64_t</type> <name>ring</name></param>
 <param><type>size_t</type> <name>offset</name></param>
 <param><type>uint32_t</type> <name>value</name></param>
</command>
<command><proto><type>VkResult</type> <name>vkGetMemoryResourcePropertiesMESA</name></proto>
 <param><type>VkDevice</type> <name>device</name></param>
 <param><type>uint32_t</type> <name>resourceId</name></param>
 <param><type>VkMemoryResourcePropertiesMESA</type>* <name>pMemoryResourceProperties</name></param>
</command>
<command><proto><type>void</type> <name>vkResetFenceResourceMESA</name></proto>
 <param><type>VkDevice</type> <name>device</name></param>
 <param><type>VkFence</type> <name>fence</name></param>
</command>
<command><proto><type>void</type> <name>vkWaitSemaphoreResourceMESA</name></proto>
 <param><type>VkDevice</type> <name>device</name></param>
 <param><type>VkSemaphore</type> <name>semaphore</name></param>
</command>
<command><proto><type>void</type> <name>vkImportSemaphoreResourceMESA</name></proto>
 <param><type>VkDevice</type> <name>device</name></param>
 <param>const <type>VkImportSemaphoreResourceInfoMESA</type>* <name>pImportSemaphoreResourceInfo</name></param>
</command>
<command><proto><type>void</type> <name>vkSubmitVirtqueueSeqnoMESA</name></proto>
 <param><type>uint64_t</type> <name>ring</name></param>
 <param><type>uint64_t</type> <name>seqno</name></param>
</command>
<command><proto><type>void</type> <name>vkWaitVirtqueueSeqnoMESA</name></proto>
 <param><type>uint64_t</type> <name>seqno</name></param>
</command>
<command><proto><type>void</type> <name>vkWaitRingSeqnoMESA</name></proto>
 <param><type>uint64_t</type> <name>ring</name></param>
 <param><type>uint64_t</type> <name>seqno</name></param>
</command>
</commands></registry>"""

U32 = {'uint32_t', 'int32_t', 'float', 'VkBool32', 'VkSampleMask', 'VkFlags'}
U64 = {'uint64_t', 'int64_t', 'VkDeviceSize', 'VkDeviceAddress', 'size_t',
       'double', 'VkFlags64'}


def for_vulkan(el):
    api = el.get('api')
    return api is None or 'vulkan' in api.split(',')


class Registry:
    def __init__(self, roots):
        self.handles, self.sizes, self.structs = set(), {}, {}
        self.aliases, self.commands, self.stypes = {}, {}, {}
        self.extends = {}       # struct -> structs that may chain into it
        for root in roots:
            self.read(root)

    def read(self, root):
        bitwidth = {e.get('name'): int(e.get('bitwidth', '32'))
                    for e in root.iter('enums')}
        for t in root.iter('type'):
            if not for_vulkan(t):
                continue
            self.read_type(t, bitwidth)
        for e in root.iter('enums'):
            if e.get('name') == 'VkStructureType':
                for v in e.findall('enum'):
                    if v.get('value') is not None:
                        self.stypes[v.get('name')] = int(v.get('value'), 0)
        self.read_stype_extensions(root)
        for c in root.iter('command'):
            if not for_vulkan(c):
                continue
            if c.get('alias'):
                self.aliases[c.get('name')] = c.get('alias')
                continue
            proto = c.find('proto')
            if proto is None:
                continue
            self.commands[proto.findtext('name')] = [
                p for p in c.findall('param') if for_vulkan(p)]

    def read_type(self, t, bitwidth):
        cat, name = t.get('category'), t.get('name') or t.findtext('name')
        if t.get('alias'):
            self.aliases[name] = t.get('alias')
        elif cat == 'handle':
            self.handles.add(name)
        elif cat == 'enum':
            self.sizes[name] = 8 if bitwidth.get(name, 32) == 64 else 4
        elif cat in ('bitmask', 'basetype') and t.findtext('type'):
            self.sizes[name] = self.base_size(t.findtext('type'))
        elif cat in ('struct', 'union'):
            members = [m for m in t.findall('member') if for_vulkan(m)]
            self.structs[name] = (cat == 'union', members)
            for parent in (t.get('structextends') or '').split(','):
                if parent:
                    self.extends.setdefault(parent, []).append(name)

    def base_size(self, base):
        if base in U32 or base in ('uint32_t',):
            return 4
        if base in U64:
            return 8
        return None

    def read_stype_extensions(self, root):
        """VkStructureType values added by features and extensions:
        1000000000 + (extension number - 1) * 1000 + offset."""
        for group in list(root.iter('feature')) + list(root.iter('extension')):
            number = group.get('number')
            for e in group.iter('enum'):
                if e.get('extends') != 'VkStructureType':
                    continue
                if e.get('value') is not None:
                    value = int(e.get('value'), 0)
                elif e.get('offset') is not None:
                    ext = int(e.get('extnumber') or number)
                    value = 1000000000 + (ext - 1) * 1000 + int(e.get('offset'))
                    if e.get('dir') == '-':
                        value = -value
                else:
                    continue
                self.stypes.setdefault(e.get('name'), value)

    def resolve(self, name):
        while name in self.aliases:
            name = self.aliases[name]
        return name


def parse_decl(el):
    """(type, pointer level, const, fixed array, bitfield) of a member or
    parameter element."""
    typ = el.findtext('type')
    type_tail = (el.find('type').tail or '') if el.find('type') is not None else ''
    rest = (el.find('name').tail or '') + ''.join((c.text or '') + (c.tail or '')
                               for c in el if c.tag == 'enum')
    const = 'const' in (el.text or '')
    return (typ, type_tail.count('*'), const, '[' in rest, ':' in rest)


class Gen:
    def __init__(self, reg):
        self.reg, self.members, self.struct_rows = reg, [], []
        self.struct_index, self.pending = {}, []

    def struct_row(self, name):
        name = self.reg.resolve(name)
        if name not in self.struct_index:
            self.struct_index[name] = len(self.struct_index)
            self.pending.append(name)
            for child in self.reg.extends.get(name, []):
                self.struct_row(child)
        return self.struct_index[name]

    def elem_kind(self, typ, ptr, fixed, name, has_len):
        reg = self.reg
        t = reg.resolve(typ)
        if name == 'sType' and t == 'VkStructureType':
            return 'STYPE', 0
        if name == 'pNext' and t == 'void':
            return 'PNEXT', 0
        if t == 'char':
            return ('BYTE' if fixed else 'STRING'), 0
        if t in ('void', 'uint8_t'):
            return ('BYTE' if (fixed or (ptr and has_len)) else 'OPAQUE'), 0
        if t in reg.handles:
            return 'HANDLE', 0
        if t in reg.structs:
            return ('UNION' if reg.structs[t][0] else 'STRUCT'), self.struct_row(t)
        size = 4 if t in U32 else 8 if t in U64 else reg.sizes.get(t)
        return {4: 'U32', 8: 'U64'}.get(size, 'OPAQUE'), 0

    def member(self, el, len_names=(), command=False):
        typ, ptr, const, fixed, bitfield = parse_decl(el)
        name = el.findtext('name')
        length = el.get('len') or ''
        has_len = bool(length) and length != 'null-terminated'
        kind, index = self.elem_kind(typ, ptr, fixed, name, has_len)
        if bitfield:
            kind = 'OPAQUE'
        shape, flags = 'VALUE', 0
        if kind == 'STRING':
            if ptr == 2:
                shape = 'ARRAY'
            elif ptr != 1:
                kind = 'OPAQUE'
        elif kind in ('STYPE', 'PNEXT'):
            pass
        elif fixed:
            shape = 'FIXED'
        elif ptr == 1:
            shape = 'ARRAY' if has_len else 'POINTER'
        elif ptr > 1:
            kind = 'OPAQUE'
        if command and ptr and not const and name not in len_names:
            if kind in ('STRUCT', 'UNION'):
                flags = 1       # VMM_VN_PARTIAL
            elif kind in ('U32', 'U64', 'BYTE'):
                flags = 2       # VMM_VN_PRESENCE
        return (name, typ, kind, shape, flags, index)

    def find_command(self, name):
        """A command's parameters; a core name this vk.xml lacks may be
        here under the extension's name it was promoted from."""
        names = [name, name + 'KHR', name + 'EXT']
        if name.endswith('KHR'):        # promoted from an EXT
            names.append(name[:-3] + 'EXT')
        for n in names:
            params = self.reg.commands.get(self.reg.resolve(n))
            if params is not None:
                return params
        return None

    def members_of(self, els, command=False):
        lens = {(p.get('len') or '').split(',')[0] for p in els}
        first = len(self.members)
        for el in els:
            self.members.append(self.member(el, lens, command))
        return first, len(els)

    def run(self, ids):
        commands = []
        for cid, cname in ids:
            params = self.find_command(cname)
            if params is None:      # newer than this vk.xml: not sized
                commands.append((cid, cname, 0, -1))
                continue
            first, count = self.members_of(params, command=True)
            commands.append((cid, cname, first, count))
        rows = {}
        while self.pending:
            name = self.pending.pop(0)
            is_union, els = self.reg.structs[name]
            rows[name] = (is_union,) + self.members_of(els)
        return commands, rows

    def stype_of(self, name):
        _, els = self.reg.structs[name]
        for m in els:
            if m.findtext('name') == 'sType' and m.get('values'):
                return self.reg.stypes.get(m.get('values').split(',')[0])
        return None


def c_str(s):
    return '"%s"' % s


def emit(out, gen, commands, rows):
    w = out.write
    w('/* Generated by vmm/gen_venus_schema.py from vk.xml and '
      'guest/venus/venus_cmd_ids.def: do not edit. */\n')
    w('#include "vmm/venus_schema.h"\n\n')
    w('const struct vmm_vn_member vmm_vn_members[] = {\n')
    for name, typ, kind, shape, flags, index in gen.members:
        w('\t{ %s, %s, VMM_VN_%s, VMM_VN_%s, %d, %d },\n'
          % (c_str(name), c_str(typ), kind, shape, flags, index))
    w('\t{ 0 },\n};\n\n')
    w('const struct vmm_vn_struct vmm_vn_structs[] = {\n')
    for name, row in sorted(gen.struct_index.items(), key=lambda kv: kv[1]):
        is_union, first, count = rows[name]
        stype = gen.stype_of(name)
        w('\t{ %s, %du, %s, %s, %d, %d },\n'
          % (c_str(name), (stype or 0) & 0xffffffff,
             'true' if stype is not None else 'false',
             'true' if is_union else 'false', first, count))
    w('};\nconst uint32_t vmm_vn_struct_count = %d;\n\n' % len(gen.struct_index))
    w('const struct vmm_vn_command vmm_vn_commands[] = {\n')
    for cid, cname, first, count in sorted(commands):
        w('\t{ %d, %s, %d, %d, %s },\n' % (cid, c_str(cname), first,
                                         max(count, 0),
                                         'true' if count >= 0 else 'false'))
    w('};\nconst uint32_t vmm_vn_command_count = %d;\n' % len(commands))


def main():
    vk_xml, ids_def, out_c = sys.argv[1:4]
    with open(ids_def) as f:
        ids = [(int(i), n) for n, i in
               re.findall(r'^VN_CMD\((\w+),\s*(\d+)\)', f.read(), re.M)]
    reg = Registry([ET.parse(vk_xml).getroot(), ET.fromstring(VENUS_EXTRA)])
    gen = Gen(reg)
    commands, rows = gen.run(ids)
    with open(out_c, 'w') as out:
        emit(out, gen, commands, rows)


if __name__ == '__main__':
    main()
