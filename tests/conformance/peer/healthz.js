'use strict';
// Milvus's management port (:9091) `/healthz`, as internal/http/healthz/healthz_handler.go answers it on a 2.5
// standalone: one indicator per component, in the order the components start. "OK" (200) when every component is
// Healthy (or StandBy), else "Not all components are healthy, <healthy>/<total>" (500). A request whose
// Content-Type header is exactly `application/json` gets {"state": ..., "detail": [{"name", "code"}]} with the
// numeric StateCode (1 Healthy, 2 Abnormal); any other request the state as text. The handler sets Content-Type
// after WriteHeader, which Go ignores, so both bodies go out as Go sniffs them: text/plain; charset=utf-8.

const COMPONENTS = ['rootcoord', 'datacoord', 'indexcoord', 'querycoord', 'querynode', 'datanode', 'indexnode', 'proxy'];
const HEALTHY = 1;
const ABNORMAL = 2;
const TEXT = 'text/plain; charset=utf-8';

// unhealthy: the query node is Abnormal (as --unhealthy's CheckHealth says).
function healthzHandler({ unhealthy }, log) {
  return (req, res) => {
    const path = new URL(req.url, 'http://peer').pathname;
    let status;
    let body;
    if (path !== '/healthz') {
      // Go's ServeMux for a path nobody registered.
      status = 404;
      body = '404 page not found\n';
    } else {
      const detail = COMPONENTS.map((name) => ({ name, code: unhealthy && name === 'querynode' ? ABNORMAL : HEALTHY }));
      const sick = detail.filter((d) => d.code !== HEALTHY).length;
      const state = sick === 0 ? 'OK' : `Not all components are healthy, ${COMPONENTS.length - sick}/${COMPONENTS.length}`;
      status = sick === 0 ? 200 : 500;
      body = req.headers['content-type'] === 'application/json' ? JSON.stringify({ state, detail }) : state;
    }
    log(`HTTP ${req.method} ${path} ${status}`);
    res.writeHead(status, { 'Content-Type': TEXT, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}

module.exports = { healthzHandler, COMPONENTS };
