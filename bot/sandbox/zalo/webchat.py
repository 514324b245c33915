"""A minimal web chat for the Zalo sandbox: pick or add a Zalo persona, type, read the
bot's answers (numbered menus, photos by URL). Served at the Zalo sandbox's ``/``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from bot.sandbox.zalo.server import ZaloSandbox

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Zalo sandbox – villagebot</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#eef3fb}
header{background:#0068ff;color:#fff;padding:.6em 1em;display:flex;gap:.6em;align-items:center}
#log{padding:1em;max-width:40em;margin:auto;display:flex;flex-direction:column;gap:.4em;padding-bottom:5em}
.m{white-space:pre-wrap;padding:.5em .8em;border-radius:.8em;max-width:80%}
.bot{background:#fff;align-self:flex-start}.me{background:#d4e6ff;align-self:flex-end}
.m img{max-width:14em;display:block}
form{position:fixed;bottom:0;left:0;right:0;display:flex;gap:.5em;padding:.6em;background:#fff}
form input{flex:1;font-size:1.1em;padding:.4em}
</style></head><body>
<header><b>Zalo</b><select id="who"></select><button id="add">+ người dùng</button></header>
<div id="log"></div>
<form id="f"><input id="t" autocomplete="off" placeholder="Nhập tin nhắn… (trả lời menu bằng số)"><button>Gửi</button></form>
<script>
const $=s=>document.querySelector(s);let mine={};
async function personas(){const r=await (await fetch('api/personas')).json();
 const sel=$('#who'),cur=sel.value;sel.innerHTML='';
 for(const p of r){const o=document.createElement('option');o.value=p.id;o.textContent=p.name;sel.appendChild(o)}
 if(cur)sel.value=cur;}
async function refresh(){const id=$('#who').value;if(!id)return;
 const r=await (await fetch('api/messages?user_id='+id)).json();const log=$('#log');log.innerHTML='';
 for(const m of r){const d=document.createElement('div');d.className='m '+(m.mine?'me':'bot');
  if(m.photo){const i=document.createElement('img');i.src=m.photo;d.appendChild(i)}
  d.appendChild(document.createTextNode(m.text||m.caption||(m.sticker?'[sticker]':'')));log.appendChild(d)}
 window.scrollTo(0,document.body.scrollHeight);}
$('#f').onsubmit=async e=>{e.preventDefault();const t=$('#t').value.trim();if(!t)return;$('#t').value='';
 await fetch('api/send',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({user_id:$('#who').value,text:t})});refresh();};
$('#add').onclick=async()=>{const n=prompt('Tên hiển thị Zalo:');if(!n)return;
 await fetch('api/personas',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({name:n})});await personas();};
$('#who').onchange=refresh;personas().then(refresh);setInterval(refresh,1500);
</script></body></html>"""


def install_webchat(app: web.Application, sandbox: ZaloSandbox) -> None:
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def personas(request: web.Request) -> web.Response:
        if request.method == "POST":
            body: dict[str, Any] = await request.json()
            user = sandbox.user(str(body.get("name") or "Người dùng")[:60])
            return web.json_response({"id": user.id, "name": user.display_name})
        return web.json_response([{"id": u.id, "name": u.display_name} for u in sandbox.users.values()])

    async def send(request: web.Request) -> web.Response:
        body = await request.json()
        user = sandbox.users.get(str(body.get("user_id")))
        text = str(body.get("text") or "")[:2000]
        if user is None or not text:
            raise web.HTTPBadRequest()
        await user.send(text)
        return web.json_response({"ok": True})

    async def messages(request: web.Request) -> web.Response:
        user = sandbox.users.get(request.query.get("user_id", ""))
        if user is None:
            raise web.HTTPNotFound()
        return web.json_response(sandbox.transcript(user.id))

    app.router.add_get("/", page)
    app.router.add_route("*", "/api/personas", personas)
    app.router.add_post("/api/send", send)
    app.router.add_get("/api/messages", messages)
