-- Argo CD health check for mesosoperator.io/MesosCluster.
--
-- The operator reports kstatus-style status: status.observedGeneration plus the
-- conditions Ready (summary), Reconciling and Stalled. A status that describes an
-- older generation says nothing about the current spec, so it counts as Progressing.
local hs = {}

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local conditions = {}
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    conditions[condition.type] = condition
  end
end

-- "Reason: message", or whichever of the two is present.
local function describe(condition)
  local reason = condition.reason
  local message = condition.message
  if reason ~= nil and reason ~= "" and message ~= nil and message ~= "" then
    return reason .. ": " .. message
  end
  if message ~= nil and message ~= "" then
    return message
  end
  return reason or ""
end

local ready = conditions["Ready"]
local stalled = conditions["Stalled"]
local reconciling = conditions["Reconciling"]

if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = describe(stalled)
  return hs
end

if ready ~= nil and ready.status == "False" and ready.reason == "InvalidSpec" then
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready)
  return hs
end

hs.status = "Progressing"
if ready ~= nil then
  hs.message = describe(ready)
elseif reconciling ~= nil and reconciling.status == "True" then
  hs.message = describe(reconciling)
else
  hs.message = "Waiting for the Ready condition"
end
return hs
