#!/usr/bin/env python3
"""Reads every CRM route from the ONLYOFFICE Community Server source and writes
spec/crm/inventory.toml (one inline table per route; a route without <category> gets its
file's category and `category_inferred = true`). Run from the workspace root:

    python3 spec/tools/read_inventory.py <git dir of ONLYOFFICE/CommunityServer>

Not run by the build: the inventory is checked in, and `cargo xtask codegen` counts coverage
against it.
"""
import json, re, subprocess
import sys
G=sys.argv[1]  # a git directory of ONLYOFFICE/CommunityServer
base='module/ASC.Api/ASC.Api.CRM/'
files=subprocess.run(['git','--git-dir='+G,'ls-tree','--name-only','HEAD',base],capture_output=True,text=True).stdout.split()
commit=subprocess.run(['git','--git-dir='+G,'rev-parse','HEAD'],capture_output=True,text=True).stdout.strip()
routes=[]
for f in sorted(files):
    name=f.split('/')[-1]
    if not re.match(r'CRMApi.*\.cs$',name): continue
    text=subprocess.run(['git','--git-dir='+G,'show','HEAD:'+f],capture_output=True,text=True).stdout
    lines=text.split('\n')
    for i,l in enumerate(lines):
        m=re.match(r'\s*\[(Read|Create|Update|Delete)\(@?"([^"]*)"\)\]',l)
        if not m: continue
        verb,route=m.groups()
        method={'Read':'GET','Create':'POST','Update':'PUT','Delete':'DELETE'}[verb]
        # method name: next line with 'public'
        j=i+1
        while j<len(lines) and 'public' not in lines[j]: j+=1
        sig=lines[j]
        mm=re.search(r'\s(\w+)\s*\(',sig)
        server=mm.group(1) if mm else '?'
        # doc block above
        k=i-1; doc=[]
        while k>=0 and (lines[k].strip().startswith('///') or lines[k].strip()=='' or lines[k].strip().startswith('[')):
            if lines[k].strip().startswith('///'): doc.append(lines[k])
            if lines[k].strip()=='' and doc: break
            k-=1
        d='\n'.join(reversed(doc))
        cat=re.search(r'<category>(.*?)</category>',d)
        hidden='<visible>false</visible>' in d
        routes.append(dict(method=method,route=route,server=server,source=f'{name}:{i+1}',category=cat.group(1).strip() if cat else '',hidden=hidden))
header = open('spec/crm/inventory.toml').read().split('commit = ')[0]
out = [header.rstrip('\n'), f'commit = "{commit}"', 'route = [']
def q(s):
    return json.dumps(s, ensure_ascii=False)
for r in routes:
    category, extra = r['category'], ''
    if not category:
        # Only SetContactLastModifedDate has no <category>; it is in the contacts' file.
        category, extra = 'Contacts', ', category_inferred = true'
    hidden = ', hidden = true' if r['hidden'] else ''
    out.append(f'  {{ method = {q(r["method"])}, route = {q(r["route"])}, server = {q(r["server"])}, '
               f'source = {q(r["source"])}, category = {q(category)}{hidden}{extra} }},')
out.append(']')
open('spec/crm/inventory.toml', 'w').write('\n'.join(out) + '\n')
print(len(routes), 'routes,', sum(r['hidden'] for r in routes), 'hidden, at', commit)
