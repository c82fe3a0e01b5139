; Cartograph tags for Scala: packages, classes, objects, traits, enums, methods,
; fields and class parameters, calls and types, imports (rewritten by `scala_imports`),
; bindings and locals, and the service patterns of its common libraries (Akka HTTP and
; Pekko routes, sttp, Akka and Play WS calls, ScalaPB gRPC servers and stubs).

(package_clause name: (package_identifier) @name) @definition.module
(class_definition name: (identifier) @name) @definition.class
(object_definition name: (identifier) @name) @definition.class
(trait_definition name: (identifier) @name) @definition.interface
(enum_definition name: (identifier) @name) @definition.enum
(simple_enum_case name: (identifier) @name) @definition.field
(full_enum_case name: (identifier) @name) @definition.class
(type_definition name: (type_identifier) @name) @definition.type
(template_body (function_definition name: (identifier) @name) @definition.method)
(template_body (function_declaration name: (identifier) @name) @definition.method)
(compilation_unit (function_definition name: (identifier) @name) @definition.function)
(template_body (val_definition pattern: (identifier) @name) @definition.field)
(template_body (var_definition pattern: (identifier) @name) @definition.field)
(template_body (val_declaration name: (identifier) @name) @definition.field)
(compilation_unit (val_definition pattern: (identifier) @name) @definition.constant)
(class_parameters (class_parameter name: (identifier) @name) @definition.field)

; references
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (field_expression field: (identifier) @name)) @reference.call
(call_expression function: (generic_function function: (identifier) @name)) @reference.call
(field_expression field: (identifier) @name) @reference.other
(instance_expression (type_identifier) @name) @reference.call
(instance_expression (generic_type type: (type_identifier) @name)) @reference.call
(extends_clause type: [
  (type_identifier) @name
  (generic_type type: (type_identifier) @name)
  (stable_type_identifier (type_identifier) @name)]) @reference.inherit
(type_identifier) @name @reference.type
; `Price.of(x)`: an object named before a member
(field_expression value: (identifier) @name (#match? @name "^[A-Z]")) @reference.type
(stable_type_identifier (type_identifier) @name) @reference.type

; imports: the whole declaration, read by `scala_imports` (`import a.b.{C, D => E}`)
(import_declaration) @import @import.module

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; bindings: `client: PriceClient`, `val s = new Store()`, `val q: Quote = ..`,
; ScalaPB stubs `val pricing = PricingServiceGrpc.blockingStub(channel)` (bound to
; `PricingServiceStub` by `scala_imports`' pass over bindings)
(class_parameter name: (identifier) @binding.name type: [(type_identifier) @binding.type (generic_type type: (type_identifier) @binding.type)])
(parameter name: (identifier) @binding.name type: [(type_identifier) @binding.type (generic_type type: (type_identifier) @binding.type)])
(val_definition pattern: (identifier) @binding.name type: [(type_identifier) @binding.type (generic_type type: (type_identifier) @binding.type)])
(val_definition pattern: (identifier) @binding.name value: (instance_expression [(type_identifier) @binding.type (generic_type type: (type_identifier) @binding.type)]))
(val_definition
  pattern: (identifier) @binding.name
  value: (call_expression function: (field_expression value: (identifier) @binding.type field: (identifier) @_s))
  (#match? @binding.type "Grpc$")
  (#match? @_s "^(stub|blockingStub)$"))

; locals: parameters and values defined in functions
(parameter name: (identifier) @local)
(lambda_expression parameters: (identifier) @local)
(lambda_expression parameters: (bindings (binding name: (identifier) @local)))
(block (val_definition pattern: (identifier) @local))
(indented_block (val_definition pattern: (identifier) @local))

; HTTP routes. Akka HTTP and Pekko: `path("cart" / Segment) { id => get { .. } }`
; under `pathPrefix("api") { .. }`: each method directive is a route, its path the
; directives around it.
(call_expression
  function: (identifier) @http.method
  arguments: [(block) (indented_block)]
  (#match? @http.method "^(get|post|put|delete|patch|head|options)$")) @http.route
(call_expression
  function: (call_expression
    function: (identifier) @_p
    arguments: (arguments . (_) @http.prefix))
  arguments: [(block) (indented_block)]
  (#match? @_p "^(path|pathPrefix)$")) @http.scope

; HTTP calls: sttp `basicRequest.get(uri"$base/x")`, Play WS `ws.url(u).post(body)`,
; Akka `Http().singleRequest(HttpRequest(method = HttpMethods.POST, uri = u))`
(call_expression
  function: (field_expression field: (identifier) @http.method)
  arguments: (arguments . (interpolated_string_expression interpolator: (identifier) @_i) @http.url)
  (#eq? @_i "uri")
  (#match? @http.method "^(get|post|put|delete|patch|head|options)$")) @http.call
(call_expression
  function: (field_expression
    value: (call_expression
      function: (field_expression field: (identifier) @_u)
      arguments: (arguments . (_) @http.url))
    field: (identifier) @http.method)
  (#eq? @_u "url")
  (#match? @http.method "^(get|post|put|delete|patch|head)$")) @http.call
(call_expression
  function: (identifier) @_h
  arguments: (arguments
    (assignment_expression left: (identifier) @_m right: (field_expression field: (identifier) @http.method))
    (assignment_expression left: (identifier) @_u right: (_) @http.url))
  (#eq? @_h "HttpRequest")
  (#eq? @_m "method")
  (#eq? @_u "uri")) @http.call
(call_expression
  function: (identifier) @_h
  arguments: (arguments (assignment_expression left: (identifier) @_u right: (_) @http.url))
  (#eq? @_h "HttpRequest")
  (#eq? @_u "uri")) @http.call

; constants URLs are built from: `val base = "http://pricing:8080"`
(val_definition pattern: (identifier) @const.name value: (_) @const.value)
