-- wrk script: cycle through the paths in BENCH_PATHS (comma-separated), one per request.
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS"), "[^,]+") do
  table.insert(paths, p)
end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
