function __mk(box, url){
  var el = typeof box === 'string' ? document.querySelector(box.charAt(0) === '#' ? box : '#' + box) : box;
  if (!el) { return; }
  var v = document.createElement('video'); v.controls = true; v.width = 640; v.src = url; el.appendChild(v);
}
function Player(o){ __mk(o.id || o.container, o.file || o.url); }
function ckplayer(o){ __mk(o.container, o.video); }
function jwplayer(id){ return { setup: function(o){ __mk(id, o.file); return this; } }; }
