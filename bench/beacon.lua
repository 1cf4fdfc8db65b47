-- wrk script: POST read beacons, each from a new anonymous visitor (a fresh cookie), so every
-- request takes the endpoint's full path: parse, key the reader, one INSERT into the queue.
local counter = 0
request = function()
  counter = counter + 1
  local headers = {
    ["Cookie"] = string.format("th_visitor=benchvisitor%012d%05d", counter, math.random(99999)),
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
  }
  return wrk.format("POST", nil, headers, "")
end
