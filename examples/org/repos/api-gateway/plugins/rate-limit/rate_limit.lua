-- Per-client rate limiting for the edge gateway.
function envoy_on_request(request_handle)
  local client = request_handle:headers():get("x-client-id")
  if client == nil then
    request_handle:respond({[":status"] = "401"}, "missing client id")
  end
end
