; Cartograph tags for Swift (tree-sitter-swift): classes, structs, enums, actors,
; protocols, extensions (their members belong to the extended type), functions,
; initializers, properties, calls and types, imports, bindings and locals, and the
; service patterns of its common libraries (Vapor routes and client, URLSession,
; Alamofire and any call whose first argument is an absolute URL; grpc-swift servers
; conform to `X_SAsyncProvider` or `X_S.ServiceProtocol` and clients are
; `X_SAsyncClient(channel:)` or `X_S.Client(wrapping:)` values, read by the graph).

(class_declaration declaration_kind: "class" name: (type_identifier) @name) @definition.class
(class_declaration declaration_kind: "actor" name: (type_identifier) @name) @definition.class
(class_declaration declaration_kind: "struct" name: (type_identifier) @name) @definition.struct
(class_declaration declaration_kind: "enum" name: (type_identifier) @name) @definition.enum
(protocol_declaration name: (type_identifier) @name) @definition.interface
(typealias_declaration name: (type_identifier) @name) @definition.type
(enum_entry name: (simple_identifier) @name) @definition.enum_member
; `extension Cart { func total() }`: `total` is a member of `Cart`
(class_declaration declaration_kind: "extension"
  name: (user_type (type_identifier) @container.name .)) @container

(class_body (function_declaration name: (simple_identifier) @name) @definition.method)
(enum_class_body (function_declaration name: (simple_identifier) @name) @definition.method)
(protocol_body (protocol_function_declaration name: (simple_identifier) @name) @definition.method)
(class_body (init_declaration "init" @name) @definition.constructor)
(source_file (function_declaration name: (simple_identifier) @name) @definition.function)
(class_body (property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.field)
(enum_class_body (property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.field)
(protocol_body (protocol_property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.field)
(source_file (property_declaration name: (pattern bound_identifier: (simple_identifier) @name)) @definition.constant)

; references
(call_expression (simple_identifier) @name) @reference.call
(call_expression (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name))) @reference.call
(navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name)
  (#not-eq? @name "self")) @reference.other
(user_type (type_identifier) @name) @reference.type
(inheritance_specifier inherits_from: (user_type (type_identifier) @name .)) @reference.inherit

; imports: `import Vapor`, `@testable import App`, `import struct Foundation.Date`
(import_declaration (identifier) @import.module) @import

; any other identifier, kept when the file defines or imports its name
(simple_identifier) @name @reference.identifier

; bindings: `client: CatalogClient`, `let c = Cart(id: 1)`, `var s: Store = ..`
(parameter name: (simple_identifier) @binding.name (user_type (type_identifier) @binding.type .))
(property_declaration
  name: (pattern bound_identifier: (simple_identifier) @binding.name)
  (type_annotation (user_type (type_identifier) @binding.type .)))
(property_declaration
  name: (pattern bound_identifier: (simple_identifier) @binding.name)
  value: (call_expression (simple_identifier) @binding.type))
; grpc-swift 2's `let greeter = Helloworld_Greeter.Client(wrapping: client)`: a type
; nested in a type
(property_declaration
  name: (pattern bound_identifier: (simple_identifier) @binding.name)
  value: (call_expression
    (navigation_expression target: (simple_identifier)) @binding.type)
  (#match? @binding.type "^[A-Z][A-Za-z0-9_]*[.][A-Z]"))

; locals: parameters, names bound in bodies and closures
(parameter name: (simple_identifier) @local)
(statements (property_declaration name: (pattern bound_identifier: (simple_identifier) @local)))
(lambda_parameter name: (simple_identifier) @local)
(for_statement item: (pattern bound_identifier: (simple_identifier) @local))

; HTTP routes, Vapor: `app.get("carts", ":id", use: show)`, `carts.post(use: create)`
; on a group (`let carts = routes.grouped("carts")`, `routes.group("carts") { carts
; in .. }`), or with the handler a trailing closure (`app.get("health") { req in .. }`).
(call_expression
  (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @http.method))
  (call_suffix
    (value_arguments
      (value_argument
        name: (value_argument_label (simple_identifier) @_use)
        value: (_) @http.handler)) @http.url)
  (#eq? @_use "use")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route
(call_expression
  (navigation_expression
    target: (_) @_r
    suffix: (navigation_suffix suffix: (simple_identifier) @http.method))
  (call_suffix (value_arguments)? @http.url (lambda_literal) @http.handler)
  (#not-match? @_r "(^|\\.)client$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.route

; HTTP calls: Vapor's client (`req.client.post(URI(string: "\(base)/pay"))`), and
; any call whose first argument is an absolute URL (`URLSession.shared.data(from:
; url)`, `URLRequest(url: u)`, `AF.request("http://..", method: .post)`), but the
; URL's own construction (`URL(string: ..)`)
(call_expression
  (navigation_expression
    target: (_) @_c
    suffix: (navigation_suffix suffix: (simple_identifier) @http.method))
  (call_suffix (value_arguments . (value_argument value: (_) @http.url)))
  (#match? @_c "(^|\\.)client$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
(call_expression
  (_) @_f
  (call_suffix (value_arguments . (value_argument value: (_) @http.url)))
  (#not-match? @_f "^(URL|URI|URLComponents)$")) @http.urlcall

; constants URLs are built from: `let base = Environment.get("CART") ?? "http://cart"`
(property_declaration
  name: (pattern bound_identifier: (simple_identifier) @const.name)
  value: (_) @const.value)
