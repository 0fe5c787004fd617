(function(){
  var root = document.getElementById(C.app), sid = '', S = null, state = {view: '', id: 0}, lastYear = '';
  function readSid(){ var m;
    if (C.entry === 'hash') { m = location.hash.match(/^#\/space\/([^\/?#]+)/); return m ? decodeURIComponent(m[1]) : ''; }
    if (C.entry === 'query') { m = location.search.match(/[?&]id=([^&]+)/); return m ? decodeURIComponent(m[1]) : ''; }
    return location.pathname.split('/')[2] || '';
  }
  function A(what){ return C.api[what].split('__SID__').join(encodeURIComponent(sid)); }
  function route(){
    if (C.routing === 'hash') { var h = location.hash.replace(/^#\/space\/[^\/]+/, '').replace(/^#/, '');
      var b = h.split('/').filter(function(x){ return x; }); return {view: b[0] || '', id: +(b[1] || 0)}; }
    if (C.routing === 'pushstate') { var q = new URLSearchParams(location.search);
      return {view: q.get(C.viewParam) || '', id: +(q.get('oid') || 0)}; }
    return state;
  }
  function target(view, id){
    if (C.routing === 'hash') return 'href="' + esc(C.hashBase + view + (id ? '/' + id : '')) + '"';
    return C.navAttr + '="' + view + (id ? ':' + id : '') + '"';
  }
  function go(view, id){
    if (C.routing === 'pushstate') history.pushState({}, '', C.pushBase + C.viewParam + '=' + view + (id ? '&oid=' + id : ''));
    else state = {view: view, id: id};
    render();
  }
  root.addEventListener('click', function(e){
    var el = e.target.closest('[' + C.navAttr + ']'), pg = e.target.closest('[' + C.pgAttr + ']');
    if (pg) { e.preventDefault(); var v = pg.getAttribute(C.pgAttr).split(':'); load(v[0], +v[1], v[2] === 'a'); return; }
    if (!el) return; e.preventDefault(); var t = el.getAttribute(C.navAttr).split(':'); go(t[0], +(t[1] || 0));
  });
  window.addEventListener('hashchange', render); window.addEventListener('popstate', render);
  function mainEl(){ return document.getElementById(C.mainId); }
  function kindOfView(v){ for (var k in C.v) { if (C.v[k] === v) return k; } return ''; }
  function chrome(){
    var sk = S.skin || {}, top = '<h1 class="' + C.cls.bn + '">' + esc(S.banner) + '</h1>';
    if (sk.banner) top = C.headerStyle === 'img' ? '<img src="' + esc(sk.banner) + '" width="1200" height="200" class="' + C.cls.hi + '">' + top
      : '<div class="' + C.cls.hi + '" style="background-image:url(' + sk.banner + ');height:200px">' + top + '</div>';
    if (sk.background) document.body.style.backgroundImage = 'url(' + sk.background + ')';
    var nav = '<' + C.navTag + ' class="' + C.cls.nv + '"><a ' + target('', 0) + '>\u9996\u9875</a>';
    S.modules.forEach(function(m){ var k = C.listSlots[C.slots[m.w]]; if (k) nav += '<a ' + target(C.v[k], 0) + '>' + esc(m.title) + '</a>'; });
    if (C.profileWhere === 'page') nav += '<a ' + target(C.v.prof, 0) + '>' + C.profTitle + '</a>';
    nav += '</' + C.navTag + '>';
    root.innerHTML = '<' + C.headerTag + ' class="' + C.cls.tp + '">' + top + '</' + C.headerTag + '>' + nav +
      '<div id="' + C.mainId + '"></div><' + C.footerTag + ' class="' + C.cls.ft + '">' + C.footer + '</' + C.footerTag + '>';
  }
  function countBits(slot, n){
    var unit = slot === 2 ? '\u7bc7' : '\u4e2a', cs = C.countStyle;
    if (cs === 'paren') return ['(' + n + ')', '']; if (cs === 'fullparen') return ['\uff08' + n + '\uff09', ''];
    if (cs === 'pian') return [' ' + n + ' ' + unit, '']; if (cs === 'gong') return ['', '\u5171' + n + unit];
    return ['', '[' + n + ']'];
  }
  function profileHtml(withAvatar){
    var p = S.profile, h = '', L = C.pf.labels, keys = ['name', 'school', 'subject', 'classes', 'contact'];
    keys.forEach(function(k){ if (p[k]) h += fill(C.pf.pair, {k: L[k], v: p[k]}); });
    var av = withAvatar && p.avatar ? fill(C.pf.avatar, {src: p.avatar, name: p.name}) : '';
    return '<div class="' + C.cls.pfw + '">' + av + C.pf.open + h + C.pf.close + '</div>';
  }
  function albumCells(items){
    var h = '';
    items.forEach(function(it){ var n = it[C.F.count], nm = it[C.F.title];
      var cnt = n == null ? '' : C.albumFmt === 'gong' ? '\u5171 ' + n + ' \u5f20' : C.albumFmt === 'zhang' ? n + '\u5f20' : C.albumFmt === 'paren' ? '(' + n + ')' : '';
      h += fill(C.albumCell, {link: C.link.alb[0] + '="' + esc(C.link.alb[1].replace('__ID__', it[C.F.id])) + '"', cover: it.cover,
        name: C.albumFmt === 'name_paren' ? nm + '\uff08' + n + '\uff09' : nm, alt: it[C.F.id] % 2 ? nm : '', count: cnt}); });
    return h ? '<div class="' + C.cls.agrid + '">' + h + '</div>' : '<p>\u6682\u65e0\u76f8\u518c</p>';
  }
  function home(){
    var h = '';
    S.modules.forEach(function(m, i){
      var slot = C.slots[m.w], custom = m.type && m.type !== 'system', cb = m.count == null ? ['', ''] : countBits(slot, m.count);
      var k = C.listSlots[slot], more = '';
      if (m.more && k) more = ' <a ' + target(C.v[k], 0) + ' class="' + C.cls.more + '">' + C.moreText + '</a>';
      var body = slot === 0 ? profileHtml(true) : (slot === 7 || slot === 10) ? m.content : slot === 9 ? '<p>\u8bbf\u95ee\u91cf\uff1a' + (1000 + i * 37) + '</p>'
        : slot === 4 ? '<p>\u6b22\u8fce\u7559\u8a00\u4ea4\u6d41\uff01</p>' : (slot === 5 || slot === 6) ? '<p>\u5f20\u8001\u5e08 \u674e\u8001\u5e08</p>'
        : slot === 8 ? '<p>\u7cbe\u5f69\u5fae\u8bfe\u63a8\u8350</p>' : '<p>\u52a0\u8f7d\u4e2d\u2026</p>';
      h += fill(custom ? C.boxTpl[1] : C.boxTpl[0], {title: m.title + cb[0], boxid: m.id,
        countel: cb[1] ? ' <span class="' + C.cls.bxcount + '">' + cb[1] + '</span>' : '', more: more,
        body: '<div id="' + C.bodyId + i + '">' + body + '</div>'});
    });
    mainEl().innerHTML = h;
    S.modules.forEach(function(m, i){
      var k = C.listSlots[C.slots[m.w]]; if (!k) return;
      getJSON(A(k).replace('__P__', 1).replace('__S__', C.homeRows), function(d){
        var u = unpack(d), out = '';
        if (k === 'alb') { out = albumCells(u.items); }
        else { u.items.forEach(function(it){ var x = disp(it, k), dv = it[C.F.date];
            out += '<li><a ' + x.link + '>' + esc(x.title) + '</a>' + (dv != null ? ' <span>' + fmtDate(dv, C.homeDate) + '</span>' : '') + '</li>'; });
          out = out ? '<ul class="' + C.cls.hl + '">' + out + '</ul>' : '<p>\u6682\u65e0\u5185\u5bb9</p>'; }
        document.getElementById(C.bodyId + i).innerHTML = out;
      });
    });
  }
  function load(k, page, append){
    getJSON(A(k).replace('__P__', page).replace('__S__', k === 'alb' ? 100 : C.pageSize), function(d){
      var u = unpack(d), pages = Math.max(1, Math.ceil(u.total / C.pageSize)), h = '', box = document.getElementById(C.listWrap);
      if (!box) return;
      if (k === 'alb') { box.innerHTML = albumCells(u.items); return; }
      if (!append) lastYear = '';
      u.items.forEach(function(it){ var x = disp(it, k);
        if (C.years && x.year && x.year !== lastYear) { h += fill(C.yearTpl, {year: x.year}); lastYear = x.year; }
        h += fill(C.rowTpl[k], x); });
      if (append) document.getElementById(C.listId).insertAdjacentHTML('beforeend', h);
      else box.innerHTML = h ? C.listOpen[k] + h + C.listClose[k] : '<p>\u6682\u65e0\u5185\u5bb9</p>';
      var pg = '';
      if (C.pager === 'total_pages' && pages > 1) {
        pg = '<span>\u5171 ' + pages + ' \u9875</span> ';
        for (var n = 1; n <= pages; n++) pg += n === page ? '<span class="' + C.cls.cur + '">' + n + '</span> ' : '<a ' + C.pgAttr + '="' + k + ':' + n + '">' + n + '</a> ';
        if (page < pages) pg += '<a ' + C.pgAttr + '="' + k + ':' + (page + 1) + '">\u4e0b\u4e00\u9875</a>';
      } else if (C.pager === 'load_more' && page < pages) {
        pg = '<a href="javascript:;" ' + C.pgAttr + '="' + k + ':' + (page + 1) + ':a">\u52a0\u8f7d\u66f4\u591a</a>';
      } else if (C.pager === 'infinite' && page < pages) {
        pg = C.scrollHint; window.__next = function(){ window.__next = null; load(k, page + 1, true); };
        setTimeout(check, 300);
      }
      document.getElementById(C.pagerId).innerHTML = pg;
    });
  }
  function check(){ if (window.__next && window.innerHeight + window.scrollY >= document.body.offsetHeight - 150) window.__next(); }
  window.addEventListener('scroll', check);
  function listView(k){
    var title = ''; S.modules.forEach(function(m){ if (C.listSlots[C.slots[m.w]] === k) title = m.title; });
    mainEl().innerHTML = '<h2 class="' + C.cls.lh + '">' + esc(title) + '</h2><div id="' + C.listWrap + '"></div><div id="' + C.pagerId + '"></div>';
    window.__next = null; load(k, 1, false);
  }
  function detailView(k, id){
    getJSON(A('detail').replace('__K__', k).replace('__ID__', id), function(d){
      var it = d.data, F = C.F, h = '<' + C.detailTag + ' class="' + C.cls.dtt + '">' + esc(it[F.title]) + '</' + C.detailTag + '><div class="' + C.cls.dmeta + '">';
      if (it[F.date] != null) h += '<span>\u53d1\u5e03\u65f6\u95f4\uff1a' + fmtDate(it[F.date], C.homeDate) + '</span> ';
      if (it[F.original] != null) h += '<span>\u7c7b\u578b\uff1a' + origWord(it[F.original]) + '</span> ';
      var c = catOf(it); if (c) h += '<span>\u5206\u7c7b\uff1a' + esc(c) + '</span> ';
      var e = fmtOf(it); if (e) h += '<span>\u683c\u5f0f\uff1a' + e.toUpperCase() + '</span> ';
      var b = sizeOf(it); if (b != null) h += '<span>\u5927\u5c0f\uff1a' + fmtSize(b) + '</span>';
      h += '</div>';
      var v = it.videoUrl || (it.ti_items && it.ti_items[0].ti_storages ? it.ti_items[0].ti_storages[0] : null);
      if (v) h += '<video controls width="640" src="' + esc(v) + '"></video>';
      if (it.content) h += '<div>' + it.content + '</div>';
      mainEl().innerHTML = '<div class="' + C.cls.dtl + '">' + h + '</div>';
    });
  }
  function albumView(id){
    getJSON(A('album').replace('__ID__', id), function(d){
      var a = d.data, h = '<h2>' + esc(a.name) + '</h2><p>\u5171 ' + a.picture_list.length + ' \u5f20</p><div class="' + C.cls.phs + '">';
      a.picture_list.forEach(function(p){ h += '<img src="' + esc(p.url) + '" alt="">'; });
      mainEl().innerHTML = h + '</div>';
    });
  }
  function render(){
    if (!S) return;
    var r = route(), k = kindOfView(r.view);
    if (!mainEl()) chrome();
    if (!r.view) home();
    else if (k === 'prof') mainEl().innerHTML = '<h2>' + C.profTitle + '</h2>' + profileHtml(true);
    else if (k === 'album') albumView(r.id);
    else if (k && r.id) detailView(k, r.id);
    else if (k) listView(k);
  }
  sid = readSid();
  C.hashBase = C.hashBase.split('__SID__').join(sid); C.pushBase = C.pushBase.split('__SID__').join(encodeURIComponent(sid));
  for (var lk in C.link) C.link[lk][1] = C.link[lk][1].split('__SID__').join(sid);
  getJSON(A('space'), function(d){
    if (d.code === 401) { location.href = d.loginUrl; return; }
    if (d.code !== 0) { root.innerHTML = '<div class="' + C.cls.wall + '">' + (d.name ? '<h2>' + esc(d.name) + '\u7684\u7a7a\u95f4</h2>' : '') + '<p>' + esc(d.msg) + '</p></div>'; return; }
    S = d.data; render();
  });
})();
