function esc(s){return String(s==null?'':s).replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;').replace(/"/g,'&quot;');}
function pad(n){return (n<10?'0':'')+n;}
function dparts(v){
  if (typeof v === 'number') { var t = new Date(v + 8*3600000);
    return [t.getUTCFullYear(), t.getUTCMonth()+1, t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()]; }
  var m = String(v).match(/(\d{4})\D(\d{1,2})\D(\d{1,2})(?:\D+(\d{1,2}):(\d{1,2}):(\d{1,2}))?/);
  return [+m[1], +m[2], +m[3], +(m[4]||0), +(m[5]||0), +(m[6]||0)];
}
function fmtDate(v, f){ var p = dparts(v);
  if (f === 'cn') return p[0]+'\u5e74'+p[1]+'\u6708'+p[2]+'\u65e5';
  if (f === 'slash') return p[0]+'/'+p[1]+'/'+p[2];
  if (f === 'dot') return p[0]+'.'+pad(p[1])+'.'+pad(p[2]);
  if (f === 'year_heading') return pad(p[1])+'-'+pad(p[2]);
  if (f === 'datetime') return p[0]+'-'+pad(p[1])+'-'+pad(p[2])+' '+pad(p[3])+':'+pad(p[4])+':'+pad(p[5]);
  return p[0]+'-'+pad(p[1])+'-'+pad(p[2]);
}
function fmtSize(b){ var v, u;
  if (b >= 1048576) { v = Math.round(b/1048576*100)/100; u = 'MB'; } else { v = Math.round(b/1024*10)/10; u = 'KB'; }
  return C.sizeStyle.replace('{v}', v).replace('{u}', u).replace('{s}', u.charAt(0));
}
function getJSON(u, cb){ var x = new XMLHttpRequest(); x.open('GET', u);
  x.onload = function(){ cb(JSON.parse(x.responseText)); }; x.send(); }
function unpack(d){
  if (d.rows) return {items: d.rows, total: d.total};
  if (d.list) return {items: d.list, total: d.totalRow};
  if (d.data && d.data.items) return {items: d.data.items, total: d.data.total};
  if (d.data && d.data.records) return {items: d.data.records, total: d.data.total};
  return {items: [], total: 0};
}
var RAW = {link: 1, body: 1, more: 1, countel: 1, avatar: 1};
function fill(tpl, x){ return tpl.replace(/\u0001(\w+)\u0001/g, function(_, k){ return RAW[k] ? (x[k]||'') : esc(x[k]); }); }
function origWord(v){ return (v === 1 || v === true || v === '\u539f\u521b') ? '\u539f\u521b' : '\u8f6c\u8f7d'; }
function catOf(it){ if (C.jcat === 'tag_list') return it.tag_list && it.tag_list[0] ? it.tag_list[0].tag_name : null;
  return it[C.jcat]; }
function fmtOf(it){ return it.ti_items ? it.ti_items[0].ti_format : it[C.F.format]; }
function sizeOf(it){ return it.ti_items ? it.ti_items[0].ti_size : it[C.F.size]; }
function catText(l){ return C.catStyle === 'bracket' ? '[' + l + ']' : C.catStyle === 'colon' ? '\u5206\u7c7b\uff1a' + l : l; }
function fmtText(e){ return C.fmtStyle === 'upper' ? e.toUpperCase() : C.fmtStyle === 'dot' ? '.' + e :
  C.fmtStyle === 'colon' ? '\u683c\u5f0f\uff1a' + e.toUpperCase() : e; }
function shortOf(t){ return t.length <= C.trunc ? t : t.substring(0, C.trunc) + '\u2026'; }
function linkOf(kind, id){ var l = C.link[kind]; return l[0] + '="' + esc(l[1].replace('__ID__', id)) + '"'; }
function disp(it, kind){
  var F = C.F, x = {}, id = it[F.id], t = it[F.title];
  x.id = id; x.title = t; x.short = shortOf(t); x.thumb = C.thumb.replace('__N__', id % 7);
  x.views = String(kind === 'res' ? id * 7 % 300 : id * 3 % 500); x.link = linkOf(kind, id);
  var dv = it[F.date]; if (dv != null) { x.date = fmtDate(dv, C.dateFormat); x.year = String(dparts(dv)[0]); }
  var o = it[F.original]; if (o != null) x.orig = origWord(o);
  var c = catOf(it); if (c) x.cat = catText(c);
  var e = fmtOf(it); if (e) x.fmt = fmtText(e);
  var b = sizeOf(it); if (b != null) x.size = fmtSize(b);
  return x;
}
