#!/usr/bin/env python3
"""Extracts DTLS ClientHello datagrams (first record: type 22, epoch 0, handshake type 1) from a pcap
(Linux cooked v1/v2 or Ethernet; IPv4/IPv6 UDP) into <prefix>-<n>.bin, in order of first appearance;
exact duplicates (one datagram seen on both ends of the veth pair) are skipped. Prints a summary line per file.
Usage: extract_clienthello.py <pcap> <prefix>"""
import struct, sys

def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(endian + 'I', data[20:24])[0]
    pos = 24
    while pos + 16 <= len(data):
        ts, tus, incl, orig = struct.unpack(endian + 'IIII', data[pos:pos + 16])
        pkt = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        yield linktype, ts + tus / 1e6, pkt

def udp_payload(linktype, pkt):
    if linktype == 113:      # SLL
        proto = struct.unpack('>H', pkt[14:16])[0]; ip = pkt[16:]
    elif linktype == 276:    # SLL2
        proto = struct.unpack('>H', pkt[0:2])[0]; ip = pkt[20:]
    elif linktype == 1:      # Ethernet
        proto = struct.unpack('>H', pkt[12:14])[0]; ip = pkt[14:]
    else:
        return None
    if proto == 0x0800:
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 17: return None
        src = '.'.join(map(str, ip[12:16])); dst = '.'.join(map(str, ip[16:20])); udp = ip[ihl:]
    elif proto == 0x86DD:
        if ip[6] != 17: return None
        src = ip[8:24].hex(); dst = ip[24:40].hex(); udp = ip[40:]
    else:
        return None
    sport, dport, ulen = struct.unpack('>HHH', udp[:6])
    return src, sport, dst, dport, udp[8:ulen]

def main(pcap, prefix):
    seen = []
    for lt, t, pkt in packets(pcap):
        r = udp_payload(lt, pkt)
        if not r: continue
        src, sport, dst, dport, p = r
        if len(p) >= 26 and p[0] == 22 and p[3:5] == b'\0\0' and p[13] == 1 and p not in seen:
            seen.append(p)
            n = len(seen)
            with open('%s-%d.bin' % (prefix, n), 'wb') as f:
                f.write(p)
            msglen = int.from_bytes(p[14:17], 'big'); seq = int.from_bytes(p[17:19], 'big')
            off = int.from_bytes(p[19:22], 'big'); flen = int.from_bytes(p[22:25], 'big')
            print('%s-%d.bin %s:%d -> %s:%d %d bytes, record version %s, ClientHello length %d seq %d offset %d fragment %d'
                  % (prefix, n, src, sport, dst, dport, len(p), p[1:3].hex(), msglen, seq, off, flen))

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
