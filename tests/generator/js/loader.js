(function(){
  var L = C.loader, page = 1, busy = false, lastYear = L.lastYear;
  var list = document.getElementById(L.listId);
  var btn = L.button ? document.getElementById(L.button) : null;
  function check(){ if (window.innerHeight + window.scrollY >= document.body.offsetHeight - 150) more(); }
  function more(){
    if (busy || page >= L.pages) return; busy = true;
    getJSON(L.api.replace('__P__', page + 1), function(d){
      var u = unpack(d), h = ''; page++;
      for (var i = 0; i < u.items.length; i++) { var x = disp(u.items[i], L.kind);
        if (L.years && x.year && x.year !== lastYear) { h += fill(L.yearTpl, {year: x.year}); lastYear = x.year; }
        h += fill(L.rowTpl, x); }
      list.insertAdjacentHTML('beforeend', h); busy = false;
      if (page >= L.pages && btn) btn.style.display = 'none';
      if (!btn) setTimeout(check, 100);
    });
  }
  if (btn) { btn.onclick = function(){ more(); return false; }; }
  else { window.addEventListener('scroll', check); setTimeout(check, 300); }
})();
