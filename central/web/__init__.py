"""The citizen's web pages under ``/citizen/`` (issue 17; docs/web.md): submit a request
(网上诉求 / 市长信箱), follow it (办理进度), read the city's public answers (公开).

Server-rendered (Jinja2, autoescaped), plain forms, no script. ``pages`` is the router;
the other modules each do one job (CSRF tokens, lookup codes, the follow timeline, the
public list and its masking, publication decisions, response headers, throttles).
"""
