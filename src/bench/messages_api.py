#!/usr/bin/env python3
"""The client side of messages-api.sh (python3 standard library only). messages-api.sh drives PostgreSQL, the
service and wrk, and calls one subcommand per phase:

  deep-cursor     the cursor of the page 10,000 messages down (50 pages of 200)
  search-script   the wrk Lua script that searches for a random word of a list
  wrk-result      one RESULT line (p50, p99, requests per second, non-2xx answers) from wrk's output

Arguments are positional, in the order `messages_api.py COMMAND -h` lists them.
"""
import json, re, urllib.request

from benchcli import run


def cmd_deep_cursor(base, token):
    """Follows nextCursor through 50 pages of 200 (10,000 messages down) and prints the last cursor."""
    cursor = None
    for _ in range(50):
        url = base + "?limit=200" + ("&cursor=" + cursor if cursor else "")
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        cursor = json.load(urllib.request.urlopen(req))["nextCursor"]
    print(cursor)


def cmd_search_script(words_file, out, token):
    """Writes the wrk script: the bearer token, and each request a ?q= of a random word of words_file."""
    words = [w.strip() for w in open(words_file, encoding="utf-8") if w.strip()]
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('wrk.headers["Authorization"] = "Bearer %s"\n' % token)
        fh.write("local words = {" + ",".join('"%s"' % w for w in words) + "}\n")
        fh.write("""local function enc(s) return (s:gsub("[^%w]", function(c) return string.format("%%%02X", c:byte()) end)) end
request = function() return wrk.format("GET", wrk.path .. "?q=" .. enc(words[math.random(#words)])) end
""")


def cmd_wrk_result(name, wrk_out):
    """One RESULT line from the output of `wrk --latency`."""
    text = open(wrk_out).read()

    def ms(label):
        m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)", text, re.M)
        v, u = float(m.group(1)), m.group(2)
        return v / 1000 if u == "us" else v * 1000 if u == "s" else v
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    print(f"RESULT {name:7s} p50 {ms('50'):7.2f} ms   p99 {ms('99'):7.2f} ms   {rps:8.1f} req/s"
          + (f"   NON-2XX {errors.group(1)}" if errors else ""))


if __name__ == "__main__":
    run(globals(), __doc__)
