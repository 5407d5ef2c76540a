#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which functions of a kernel module objtool marked for ENDBR sealing.

With IBT, objtool lists in the section `.ibt_endbr_seal` every `ENDBR` instruction of a function
whose address is never taken; the module loader turns each into a NOP, and an indirect call to
such a function then faults on a CPU with IBT. The list is a table of 32-bit relative
relocations, usually against a section symbol plus an offset; this resolves each to the
function that starts there, by reading the ELF file directly.

    ibt_seal.py MODULE.ko...    prints "MODULE: name name ..." per module
"""

import struct
import sys

SHT_SYMTAB = 2
SHT_RELA = 4
STT_FUNC = 2


def _sections(data):
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    raw = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_off = raw[shstrndx][4]

    def name(off):
        end = data.index(b"\0", names_off + off)
        return data[names_off + off : end].decode()

    return [
        {"name": name(s[0]), "type": s[1], "offset": s[4], "size": s[5], "link": s[6], "info": s[7], "entsize": s[9]}
        for s in raw
    ]


def _symbols(data, sections, symtab):
    strtab = sections[symtab["link"]]
    symbols = []
    for off in range(symtab["offset"], symtab["offset"] + symtab["size"], 24):
        st_name, st_info, _, st_shndx, st_value, _ = struct.unpack_from("<IBBHQQ", data, off)
        start = strtab["offset"] + st_name
        name = data[start : data.index(b"\0", start)].decode(errors="replace")
        symbols.append({"name": name, "type": st_info & 0xF, "shndx": st_shndx, "value": st_value})
    return symbols


def functions(path):
    """{section name: {offset: function name}} of an ELF object's function symbols."""
    data = open(path, "rb").read()
    sections = _sections(data)
    symtab = next(s for s in sections if s["type"] == SHT_SYMTAB)
    found = {}
    for sym in _symbols(data, sections, symtab):
        if sym["type"] == STT_FUNC and 0 < sym["shndx"] < len(sections):
            found.setdefault(sections[sym["shndx"]]["name"], {})[sym["value"]] = sym["name"]
    return found


def sealed_functions(path):
    """The names of the functions whose ENDBR the module's `.ibt_endbr_seal` lists."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError(f"{path}: not a 64-bit ELF file")
    sections = _sections(data)
    seal = [i for i, s in enumerate(sections) if s["name"] == ".ibt_endbr_seal"]
    if not seal:
        return set()
    rela = [s for s in sections if s["type"] == SHT_RELA and s["info"] == seal[0]]
    symtab = next(s for s in sections if s["type"] == SHT_SYMTAB)
    symbols = _symbols(data, sections, symtab)
    functions = {(s["shndx"], s["value"]): s["name"] for s in symbols if s["type"] == STT_FUNC}
    names = set()
    for r in rela:
        for off in range(r["offset"], r["offset"] + r["size"], 24):
            _, info, addend = struct.unpack_from("<QQq", data, off)
            sym = symbols[info >> 32]
            # An R_X86_64_PC32 entry points at the ENDBR; functions start with it.
            where = sym["value"] + addend
            names.add(functions.get((sym["shndx"], where), f"{sections[sym['shndx']]['name']}+{where:#x}"))
    return names


def main(paths):
    for path in paths:
        print(f"{path}: {' '.join(sorted(sealed_functions(path)))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
