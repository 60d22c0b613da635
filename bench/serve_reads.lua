-- SPDX-License-Identifier: Apache-2.0
-- wrk script of bench/serve: the read routes an inspector's dashboard
-- uses, in turn, with the inspector's token (CUSTOS_TOKEN).
local token = os.getenv("CUSTOS_TOKEN")
local paths = {
  "/api/reports?mba=XC/XCAA",
  "/api/reports/5",
  "/api/balances?mba=XC/XCAA",
  "/api/reports?mba=XC/XCAB",
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Authorization"] = "Bearer " .. token })
end
